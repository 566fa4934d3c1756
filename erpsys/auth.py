"""JWTs that end with the password they were issued under.

Each token carries ``pwd``, a keyed fingerprint of the user's password hash. Changing the
password changes the hash, so every access and refresh token issued before no longer matches;
a deactivated user is refused by simplejwt itself. No token table is needed.
"""

from __future__ import annotations

from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.exceptions import AuthenticationFailed as LoginFailed
from rest_framework.exceptions import Throttled
from rest_framework_simplejwt import authentication, serializers, tokens
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings

PASSWORD_CLAIM = "pwd"


def password_fingerprint(user) -> str:
    return salted_hmac("erpsys.auth.jwt", user.password, algorithm="sha256").hexdigest()[:32]


def token_matches_password(token, user) -> bool:
    return constant_time_compare(token.get(PASSWORD_CLAIM, ""), password_fingerprint(user))


class RefreshToken(tokens.RefreshToken):
    """simplejwt's refresh token with the password fingerprint (its access token copies it).

    Code that mints tokens itself (``RefreshToken.for_user(user)``) must use this class: a
    token without the fingerprint is refused.
    """

    @classmethod
    def for_user(cls, user):
        token = super().for_user(user)
        token[PASSWORD_CLAIM] = password_fingerprint(user)
        return token


class TokenObtainPairSerializer(serializers.TokenObtainPairSerializer):
    token_class = RefreshToken

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except LoginFailed:
            # django-axes marks the request it was given (DRF's wrapper, not the HttpRequest
            # its middleware sees), so a lockout is answered here: 429, like the login pages.
            if getattr(self.context["request"], "axes_locked_out", False):
                raise Throttled(detail=_("Too many failed logins: try again later.")) from None
            raise


class TokenRefreshSerializer(serializers.TokenRefreshSerializer):
    def validate(self, attrs):
        from django.contrib.auth import get_user_model

        refresh = RefreshToken(attrs["refresh"])
        user = (
            get_user_model()
            .objects.filter(**{api_settings.USER_ID_FIELD: refresh.get(api_settings.USER_ID_CLAIM)})
            .first()
        )
        if user is None or not user.is_active or not token_matches_password(refresh, user):
            raise InvalidToken(_("Token is no longer valid: sign in again."))
        return super().validate(attrs)


class JWTAuthentication(authentication.JWTAuthentication):
    def get_user(self, validated_token):
        user = super().get_user(validated_token)  # refuses unknown and inactive users
        if not token_matches_password(validated_token, user):
            raise AuthenticationFailed(
                _("Token is no longer valid: sign in again."), code="token_not_valid"
            )
        return user


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of :class:`JWTAuthentication` (bearer JWT, as simplejwt's)."""

    target_class = "erpsys.auth.JWTAuthentication"
