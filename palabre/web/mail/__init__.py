"""Mail's web side: the SMTP transport, the confirmation and unsubscribe pages, the
``/mail/options`` answer the widget reads, and starting the mail worker."""
