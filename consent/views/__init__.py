"""The consent app's pages, one module each: the Privacy and data settings page (`privacy`), the cookie choice
tool (`cookies`), the public pages (`public`), email and text preferences (`preferences`), one-click unsubscribe
(`unsubscribe`) and the inbound-text webhook (`webhooks`). Views are short: they check the request's shape, call
one service, add a message and redirect."""
