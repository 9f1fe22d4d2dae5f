"""gunicorn settings for the newsdesk API; values come from search.settings (environment)."""

from search.settings import Settings

_settings = Settings.from_env()

wsgi_app = "api.app:get_app()"
bind = f"0.0.0.0:{_settings.port}"
workers = _settings.workers
worker_class = "sync"
# Each worker opens the index itself: no preloading, so no file handles cross a fork.
preload_app = False
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 0
accesslog = "-"
errorlog = "-"
loglevel = _settings.log_level
# gunicorn 27's control socket lives at one path per user; two servers on one host would
# share it. newsdesk does not use it.
control_socket_disable = True
# Keep request lines and headers small: queries have their own limits in the app.
limit_request_line = 8190
