"""Settings for the orders service."""
import os

DEBUG = False
SECRET_KEY = "kShZ5PFyhPQF0zBzCvLROOJwRIMGdNZd40xs5L17GSBjRsTQFR"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql"}}
DATABASE_URL = "postgresql://orders:6516za3rFwHOEkiuf6@db.internal:5432/orders"
STRIPE_KEY = "sk_live_srtBk5JLCKkfDXevgy7QMVmN"
ALLOWED_HOSTS = ["orders.acme.io"]
SENDGRID = "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"
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_PASSWORD", "")
SLACK_HOOK = "https://hooks.slack.com/services/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"
