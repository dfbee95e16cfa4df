from django import forms


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=80, help_text="What will use it, so that you know which one to revoke."
    )
