from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Helpdesk back office"
admin.site.site_title = "Helpdesk back office"

urlpatterns = [
    path("back-office/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("cases.api.urls")),
    path("", include("accounts.urls")),
    path("", include("cases.urls")),
]

handler404 = "helpdesk.middleware.not_found"
