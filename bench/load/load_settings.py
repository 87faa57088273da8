"""Settings for bench/load_test.py: the production settings (DEBUG off), with one difference.

The load test talks plain HTTP to gunicorn on loopback, where production has a TLS proxy in
front; cookies marked Secure would never be sent back over HTTP, so every simulated learner
would be signed out. Only that flag changes; everything else is config.settings as deployed.
"""

from config.settings import *  # noqa: F403

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
