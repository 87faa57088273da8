"""Every page of ours carries the Content-Security-Policy; third-party pages keep working."""

import pytest

from config.csp import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/courses/", "/accounts/login/", "/accounts/signup/"])
def test_our_pages_forbid_inline_and_foreign_script(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]


def test_the_admin_and_api_docs_are_left_to_their_own_scripts(admin_client):
    for path in ["/admin/", "/api/docs/"]:
        response = admin_client.get(path)
        assert response.status_code == 200
        assert "Content-Security-Policy" not in response.headers
