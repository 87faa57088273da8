from django.http import Http404
from django.urls import path

app_name = "assets"


def _not_yet(request, slug, name):
    # Placeholder: course assets (images and data files stored with a course) replace it.
    raise Http404


urlpatterns = [
    path("courses/<slug:slug>/assets/<path:name>", _not_yet, name="asset"),
]
