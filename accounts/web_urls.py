from django.urls import path

from accounts.views import classes, learners

app_name = "accounts"

urlpatterns = [
    # config/urls.py includes these before django.contrib.auth.urls, and the first match wins:
    # the ordinary sign-in page (still reversed as "login") gets the failure limits too, or
    # class accounts' simple passwords could be guessed there without any.
    path("accounts/login/", learners.ThrottledLoginView.as_view(), name="login"),
    path("accounts/signup/", learners.signup, name="signup"),
    path("accounts/class-sign-in/", learners.class_sign_in, name="class_sign_in"),
    path("join/", learners.join, name="join"),
    path("classes/", classes.class_list, name="classes"),
    path("classes/<int:pk>/", classes.class_detail, name="class_detail"),
    path("classes/<int:pk>/name/", classes.class_rename, name="class_rename"),
    path("classes/<int:pk>/code/", classes.class_code_new, name="class_code_new"),
    path("classes/<int:pk>/courses/", classes.class_courses, name="class_courses"),
    path("classes/<int:pk>/learners/", classes.class_accounts_create, name="class_accounts"),
    path("classes/<int:pk>/cards/", classes.class_cards, name="class_cards"),
    path(
        "classes/<int:pk>/learners/<int:learner_pk>/remove/",
        classes.class_learner_remove,
        name="class_learner_remove",
    ),
    path(
        "classes/<int:pk>/learners/<int:learner_pk>/password/",
        classes.class_learner_password,
        name="class_learner_password",
    ),
]
