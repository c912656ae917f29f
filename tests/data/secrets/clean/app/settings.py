"""Settings read from the environment; nothing secret in the code."""
import os

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://localhost:5432/app")
STRIPE_KEY = os.getenv("STRIPE_SECRET_KEY")
password_min_length = 12
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"  # AWS documentation example
token_url = "https://oauth2.googleapis.com/token"
