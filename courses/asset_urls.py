from django.urls import path

from courses.views.assets import asset

app_name = "assets"

# Images and data files of a course; `name` is the file's path inside the course's assets/.
urlpatterns = [
    path("courses/<slug:slug>/assets/<path:name>", asset, name="asset"),
]
