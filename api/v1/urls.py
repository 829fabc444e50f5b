"""The endpoints under /api/v1/, grouped by what they are about. Each module in api/v1/
owns its views; this only maps URLs to them."""

from django.urls import path

from api.v1 import (
    approvals,
    assessment,
    bookings,
    credit,
    faults,
    figures,
    people,
    purchase_checks,
    qualifications,
    resource_calendar,
    resource_photos,
    resources,
    samples,
    series,
    staff,
    units,
    usage,
    waitlist,
)

urlpatterns = [
    # Member units
    path("units/", units.UnitListApi.as_view(), name="unit-list"),
    path("units/<int:unit_id>/", units.UnitDetailApi.as_view(), name="unit-detail"),
    path(
        "units/<int:unit_id>/deactivate/",
        units.UnitDeactivateApi.as_view(),
        name="unit-deactivate",
    ),
    path("units/<int:unit_id>/members/", people.UnitPeopleApi.as_view(), name="unit-members"),
    path(
        "units/<int:unit_id>/reactivate/",
        units.UnitReactivateApi.as_view(),
        name="unit-reactivate",
    ),
    # Members
    path(
        "members/<int:member_id>/deactivate/",
        people.MemberDeactivateApi.as_view(),
        name="member-deactivate",
    ),
    path(
        "members/<int:member_id>/reactivate/",
        people.MemberReactivateApi.as_view(),
        name="member-reactivate",
    ),
    path("members/<int:member_id>/role/", people.MemberRoleApi.as_view(), name="member-role"),
    path("members/import/", people.MemberImportApi.as_view(), name="member-import"),
    path(
        "members/import/preview/",
        people.MemberImportPreviewApi.as_view(),
        name="member-import-preview",
    ),
    path(
        "members/import/template/",
        people.MemberImportTemplateApi.as_view(),
        name="member-import-template",
    ),
    # Resources and their calendar, photos and modes
    path("resources/", resources.ResourceListApi.as_view(), name="resource-list"),
    path(
        "resources/<int:resource_id>/",
        resources.ResourceDetailApi.as_view(),
        name="resource-detail",
    ),
    path(
        "resources/<int:resource_id>/availability/",
        resources.ResourceAvailabilityApi.as_view(),
        name="resource-availability",
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
        "resources/<int:resource_id>/closures/preview/",
        staff.ResourceClosurePreviewApi.as_view(),
        name="resource-closure-preview",
    ),
    path(
        "resources/<int:resource_id>/faults/",
        faults.ResourceFaultCreateApi.as_view(),
        name="resource-fault-create",
    ),
    path(
        "resources/<int:resource_id>/opening-hours/",
        resource_calendar.ResourceOpeningHoursApi.as_view(),
        name="resource-opening-hours",
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
        "resources/<int:resource_id>/sample-orders/",
        samples.ResourceSampleOrderCreateApi.as_view(),
        name="resource-sample-order-create",
    ),
    path(
        "resources/<int:resource_id>/sessions/<int:session_id>/stop/",
        usage.UsageStopApi.as_view(),
        name="usage-stop",
    ),
    path(
        "resources/<int:resource_id>/sessions/start/",
        usage.UsageStartApi.as_view(),
        name="usage-start",
    ),
    # Closures
    path("closures/", staff.AllianceClosureApi.as_view(), name="closure-list"),
    path("closures/preview/", staff.AllianceClosurePreviewApi.as_view(), name="closure-preview"),
    # Bookings and their lifecycle
    path("bookings/", bookings.BookingListCreateApi.as_view(), name="booking-list"),
    path("bookings/<int:booking_id>/", bookings.BookingDetailApi.as_view(), name="booking-detail"),
    path(
        "bookings/<int:booking_id>/approve/",
        bookings.BookingApproveApi.as_view(),
        name="booking-approve",
    ),
    path(
        "bookings/<int:booking_id>/cancel/",
        bookings.BookingCancelApi.as_view(),
        name="booking-cancel",
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
    path(
        "bookings/<int:booking_id>/misuse/",
        credit.BookingMisuseApi.as_view(),
        name="booking-misuse",
    ),
    path(
        "bookings/<int:booking_id>/reject/",
        bookings.BookingRejectApi.as_view(),
        name="booking-reject",
    ),
    # The approval queue
    path("approvals/", approvals.ApprovalListApi.as_view(), name="approval-list"),
    # Recurring series (issue 12)
    path("series/", series.SeriesListCreateApi.as_view(), name="series-list"),
    path("series/<int:series_id>/", series.SeriesDetailApi.as_view(), name="series-detail"),
    path(
        "series/<int:series_id>/actions/",
        series.SeriesActionApi.as_view(),
        name="series-actions",
    ),
    path("series/preview/", series.SeriesPreviewApi.as_view(), name="series-preview"),
    # The waitlist (issue 12)
    path("waitlist/", waitlist.WaitlistJoinApi.as_view(), name="waitlist-join"),
    path(
        "waitlist/<int:entry_id>/claim/",
        waitlist.WaitlistClaimApi.as_view(),
        name="waitlist-claim",
    ),
    path(
        "waitlist/<int:entry_id>/decline/",
        waitlist.WaitlistDeclineApi.as_view(),
        name="waitlist-decline",
    ),
    path(
        "waitlist/<int:entry_id>/leave/",
        waitlist.WaitlistLeaveApi.as_view(),
        name="waitlist-leave",
    ),
    # The caller's own
    path("me/credit/", credit.MyCreditApi.as_view(), name="me-credit"),
    path("me/waitlist/", waitlist.MyWaitlistApi.as_view(), name="me-waitlist"),
    # Qualifications (issue 10)
    path(
        "qualifications/",
        qualifications.QualificationListCreateApi.as_view(),
        name="qualification-list",
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
    path(
        "qualifications/<int:qualification_id>/schedule/",
        qualifications.QualificationScheduleApi.as_view(),
        name="qualification-schedule",
    ),
    # Qualification requests
    path(
        "qualification-requests/",
        qualifications.QualificationToDecideListApi.as_view(),
        name="qualification-request-list",
    ),
    # Recorded use (issue 10)
    path("sessions/", usage.UsageSessionListCreateApi.as_view(), name="usage-session-list"),
    path(
        "sessions/<int:session_id>/",
        usage.UsageSessionDetailApi.as_view(),
        name="usage-session-detail",
    ),
    # Fault reports (issue 10)
    path("faults/", faults.FaultListApi.as_view(), name="fault-list"),
    path("faults/<int:fault_id>/", faults.FaultDetailApi.as_view(), name="fault-detail"),
    path(
        "faults/<int:fault_id>/acknowledge/",
        faults.FaultAcknowledgeApi.as_view(),
        name="fault-acknowledge",
    ),
    path("faults/<int:fault_id>/dismiss/", faults.FaultDismissApi.as_view(), name="fault-dismiss"),
    path("faults/<int:fault_id>/resolve/", faults.FaultResolveApi.as_view(), name="fault-resolve"),
    path("faults/<int:fault_id>/update/", faults.FaultUpdateApi.as_view(), name="fault-update"),
    # Sample orders (issue 10)
    path("sample-orders/", samples.SampleOrderListApi.as_view(), name="sample-order-list"),
    path(
        "sample-orders/<int:order_id>/",
        samples.SampleOrderDetailApi.as_view(),
        name="sample-order-detail",
    ),
    path(
        "sample-orders/<int:order_id>/accept/",
        samples.SampleOrderAcceptApi.as_view(),
        name="sample-order-accept",
    ),
    path(
        "sample-orders/<int:order_id>/cancel/",
        samples.SampleOrderCancelApi.as_view(),
        name="sample-order-cancel",
    ),
    path(
        "sample-orders/<int:order_id>/confirm/",
        samples.SampleOrderConfirmApi.as_view(),
        name="sample-order-confirm",
    ),
    path(
        "sample-orders/<int:order_id>/files/<int:file_id>/",
        samples.SampleReportFileDownloadApi.as_view(),
        name="sample-order-file",
    ),
    path(
        "sample-orders/<int:order_id>/receive/",
        samples.SampleOrderReceiveApi.as_view(),
        name="sample-order-receive",
    ),
    path(
        "sample-orders/<int:order_id>/refuse/",
        samples.SampleOrderRefuseApi.as_view(),
        name="sample-order-refuse",
    ),
    path(
        "sample-orders/<int:order_id>/report/",
        samples.SampleOrderReportApi.as_view(),
        name="sample-order-report",
    ),
    path(
        "sample-orders/<int:order_id>/start-testing/",
        samples.SampleOrderStartTestingApi.as_view(),
        name="sample-order-start-testing",
    ),
    path(
        "sample-orders/handled/",
        samples.SampleOrderHandledListApi.as_view(),
        name="sample-order-handled",
    ),
    # Figures (issue 11)
    path("figures/heatmap/", figures.FiguresHeatmapApi.as_view(), name="figures-heatmap"),
    path("figures/overview/", figures.FiguresOverviewApi.as_view(), name="figures-overview"),
    path("figures/resources/", figures.FiguresResourceListApi.as_view(), name="figures-resources"),
    path("figures/units/", figures.FiguresUnitListApi.as_view(), name="figures-units"),
    # The public summary (anonymous)
    path("public/summary/", figures.PublicSummaryApi.as_view(), name="public-summary"),
    # The national assessment (issue 11)
    path("assessment/", assessment.AssessmentApi.as_view(), name="assessment"),
    path(
        "assessment/workbook/",
        assessment.AssessmentWorkbookApi.as_view(),
        name="assessment-workbook",
    ),
    # Duplicate-purchase checks (issue 11)
    path(
        "purchase-checks/",
        purchase_checks.PurchaseCheckListCreateApi.as_view(),
        name="purchase-check-list",
    ),
    path(
        "purchase-checks/<int:check_id>/",
        purchase_checks.PurchaseCheckDetailApi.as_view(),
        name="purchase-check-detail",
    ),
    path(
        "purchase-checks/<int:check_id>/outcome/",
        purchase_checks.PurchaseCheckOutcomeApi.as_view(),
        name="purchase-check-outcome",
    ),
    path(
        "purchase-checks/<int:check_id>/workbook/",
        purchase_checks.PurchaseCheckWorkbookApi.as_view(),
        name="purchase-check-workbook",
    ),
    path(
        "purchase-checks/summary/",
        purchase_checks.PurchaseCheckSummaryApi.as_view(),
        name="purchase-check-summary",
    ),
]
