"""Resource, booking and approval endpoints under /api/v1/."""

from django.urls import path

from api.v1 import (
    approvals,
    bookings,
    faults,
    resource_calendar,
    resource_photos,
    resources,
    staff,
    units,
)

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
        "resources/<int:resource_id>/retire/preview/",
        staff.ResourceRetirePreviewApi.as_view(),
        name="resource-retire-preview",
    ),
    path(
        "resources/<int:resource_id>/closures/preview/",
        staff.ResourceClosurePreviewApi.as_view(),
        name="resource-closure-preview",
    ),
    path("closures/", staff.AllianceClosureApi.as_view(), name="closure-list"),
    path("closures/preview/", staff.AllianceClosurePreviewApi.as_view(), name="closure-preview"),
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
        "resources/<int:resource_id>/photos/",
        resource_photos.ResourcePhotoListApi.as_view(),
        name="resource-photo-list",
    ),
    path(
        "resources/<int:resource_id>/photos/<int:photo_id>/",
        resource_photos.ResourcePhotoDetailApi.as_view(),
        name="resource-photo-detail",
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
]

# Fault reports (issue 10, api.v1.faults)
urlpatterns += [
    path(
        "resources/<int:resource_id>/faults/",
        faults.ResourceFaultCreateApi.as_view(),
        name="resource-fault-create",
    ),
    path("faults/", faults.FaultListApi.as_view(), name="fault-list"),
    path("faults/<int:fault_id>/", faults.FaultDetailApi.as_view(), name="fault-detail"),
    path(
        "faults/<int:fault_id>/acknowledge/",
        faults.FaultAcknowledgeApi.as_view(),
        name="fault-acknowledge",
    ),
    path("faults/<int:fault_id>/update/", faults.FaultUpdateApi.as_view(), name="fault-update"),
    path("faults/<int:fault_id>/resolve/", faults.FaultResolveApi.as_view(), name="fault-resolve"),
    path("faults/<int:fault_id>/dismiss/", faults.FaultDismissApi.as_view(), name="fault-dismiss"),
]
