"""gunicorn's settings for this project; gunicorn reads ./gunicorn.conf.py when started from the checkout
(README, Deployment). Command-line options (--bind, --workers, --threads) override these.

The access log keeps what operating the site needs and nothing personal or secret: the client's address, the time,
the method, the path WITHOUT its query string (admin searches hold emails, one-click unsubscribe links their signed
token) and with a password reset link's uid and token masked (common.logs.AccessLogger), the status, the size and
the time taken. No referrer (it can hold another page's query string) and no user agent.
"""

logger_class = "common.logs.AccessLogger"

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
# A worker that stops answering its master (a hung sync worker) is replaced after this long.
timeout = 30


def post_worker_init(worker: object) -> None:
    """Once a worker has loaded the application, move everything it holds so far (Django, the URL and model
    registries, the choice registry) out of the garbage collector's view (`gc.freeze`, Python's documented API):
    a full collection then no longer walks these long-lived objects, which a batch answer's many short-lived
    ones would otherwise trigger every few requests."""
    import gc

    gc.freeze()
