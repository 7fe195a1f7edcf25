"""The consent app's pages, one module each: the Privacy and data settings page (`privacy`), the cookie choice
tool (`cookies`), the public pages (`public`), email and text preferences (`preferences`), one-click unsubscribe
(`unsubscribe`), the inbound-text webhook (`webhooks`) and the member's privacy history (`history`). Views are
short: they check the request's shape, call one service (or, to read, a selector), add a message and redirect."""
