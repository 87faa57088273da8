import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_home_page_names_the_product(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Qiming" in response.content.decode()


def test_custom_user_has_a_role_defaulting_to_student():
    user = User.objects.create_user(username="ada", password="x-Long-pass-1")
    assert user.role == User.Role.STUDENT
    assert user.is_student and not user.is_teacher and not user.is_platform_admin


def test_api_docs_are_served_without_a_cdn(admin_client):
    schema = admin_client.get("/api/schema/")
    assert schema.status_code == 200
    docs = admin_client.get("/api/docs/")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()
