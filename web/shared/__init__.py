"""What every audience's blueprints share: the viewer and auth, errors, security headers,
extensions (CSRF, rate limits, translations), UI language, tracking, health and metrics."""
