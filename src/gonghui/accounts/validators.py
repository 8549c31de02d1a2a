from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """等保 password policy: letters and digits at least (on top of length ≥ 10)."""

    def validate(self, password, user=None):
        has_letter = any(c.isalpha() for c in password)
        has_digit = any(c.isdigit() for c in password)
        if not (has_letter and has_digit):
            raise ValidationError("密码须同时包含字母和数字", code="password_classes")

    def get_help_text(self):
        return "密码至少10位，须同时包含字母和数字。"
