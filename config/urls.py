from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    # Learner pages: catalogue, courses, lessons with their quizzes, dashboard.
    path("", include("courses.web_urls")),
    # The notebook exercise page: editor, drafts, Check and Submit, live status.
    path("", include("courses.notebook_urls")),
    # Images and data files stored with a course.
    path("", include("courses.asset_urls")),
    # Sign-up, sign-in with a class code, joining a class, teachers' class pages.
    path("", include("accounts.web_urls")),
    # Teachers' gradebooks, deadlines, marking and regrades, per class.
    path("", include("teaching.urls")),
    # Teachers write courses in the browser: their courses, editors, previews as a learner.
    path("teach/", include("courses.authoring.urls")),
    # Administrators' reports: dashboards, charts, exports.
    path("reports/", include("reports.web_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("graders.urls")),
    path("api/v1/", include("courses.urls")),
    path("api/v1/reports/", include("reports.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
