"""Resource, booking and approval endpoints under /api/v1/."""

from django.urls import path

from api.v1 import approvals, bookings, qualifications, resource_calendar, resources, units

urlpatterns = [
    path("units/", units.UnitListApi.as_view(), name="unit-list"),
    path("units/<int:unit_id>/", units.UnitDetailApi.as_view(), name="unit-detail"),
    path(
        "units/<int:unit_id>/deactivate/",
        units.UnitDeactivateApi.as_view(),
        name="unit-deactivate",
    ),
    path(
        "units/<int:unit_id>/reactivate/",
        units.UnitReactivateApi.as_view(),
        name="unit-reactivate",
    ),
    path("resources/", resources.ResourceListApi.as_view(), name="resource-list"),
    path(
        "resources/<int:resource_id>/",
        resources.ResourceDetailApi.as_view(),
        name="resource-detail",
    ),
    path(
        "resources/<int:resource_id>/retire/",
        resources.ResourceRetireApi.as_view(),
        name="resource-retire",
    ),
    path(
        "resources/<int:resource_id>/opening-hours/",
        resource_calendar.ResourceOpeningHoursApi.as_view(),
        name="resource-opening-hours",
    ),
    path(
        "resources/<int:resource_id>/closures/",
        resource_calendar.ResourceClosureListApi.as_view(),
        name="resource-closure-list",
    ),
    path(
        "resources/<int:resource_id>/closures/<int:closure_id>/",
        resource_calendar.ResourceClosureDetailApi.as_view(),
        name="resource-closure-detail",
    ),
    path(
        "resources/<int:resource_id>/availability/",
        resources.ResourceAvailabilityApi.as_view(),
        name="resource-availability",
    ),
    path("bookings/", bookings.BookingListCreateApi.as_view(), name="booking-list"),
    path("bookings/<int:booking_id>/", bookings.BookingDetailApi.as_view(), name="booking-detail"),
    path(
        "bookings/<int:booking_id>/cancel/",
        bookings.BookingCancelApi.as_view(),
        name="booking-cancel",
    ),
    path(
        "bookings/<int:booking_id>/approve/",
        bookings.BookingApproveApi.as_view(),
        name="booking-approve",
    ),
    path(
        "bookings/<int:booking_id>/reject/",
        bookings.BookingRejectApi.as_view(),
        name="booking-reject",
    ),
    path(
        "bookings/<int:booking_id>/check-in/",
        bookings.BookingCheckInApi.as_view(),
        name="booking-check-in",
    ),
    path(
        "bookings/<int:booking_id>/check-out/",
        bookings.BookingCheckOutApi.as_view(),
        name="booking-check-out",
    ),
    path("approvals/", approvals.ApprovalListApi.as_view(), name="approval-list"),
    # Qualifications (issue 10)
    path(
        "qualifications/",
        qualifications.QualificationListCreateApi.as_view(),
        name="qualification-list",
    ),
    path(
        "qualification-requests/",
        qualifications.QualificationToDecideListApi.as_view(),
        name="qualification-request-list",
    ),
    path(
        "qualifications/<int:qualification_id>/",
        qualifications.QualificationDetailApi.as_view(),
        name="qualification-detail",
    ),
    path(
        "qualifications/<int:qualification_id>/cancel/",
        qualifications.QualificationCancelApi.as_view(),
        name="qualification-cancel",
    ),
    path(
        "qualifications/<int:qualification_id>/schedule/",
        qualifications.QualificationScheduleApi.as_view(),
        name="qualification-schedule",
    ),
    path(
        "qualifications/<int:qualification_id>/grant/",
        qualifications.QualificationGrantApi.as_view(),
        name="qualification-grant",
    ),
    path(
        "qualifications/<int:qualification_id>/refuse/",
        qualifications.QualificationRefuseApi.as_view(),
        name="qualification-refuse",
    ),
    path(
        "qualifications/<int:qualification_id>/revoke/",
        qualifications.QualificationRevokeApi.as_view(),
        name="qualification-revoke",
    ),
]
