"""Mail's web side: the SMTP transport, the confirmation and unsubscribe pages, the
``/api/v1/mail`` answer the widget reads, and starting the mail worker."""
