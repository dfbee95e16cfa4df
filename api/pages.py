"""API tokens, the portal page: a signed-in user makes a token (its key shown once, on the
answer to the post that made it, never again) and revokes their own."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views import View

from b2b_portal.errors import ApplicationError

from .forms import TokenCreateForm
from .services import api_token_create, api_token_revoke

TEMPLATE = "api/tokens.html"
REVOKED = "{token} is revoked: it no longer opens the API."


class TokenListView(LoginRequiredMixin, View):
    def get(self, request):
        return self.page(request, TokenCreateForm())

    def post(self, request):
        form = TokenCreateForm(request.POST)
        if not form.is_valid():
            return self.page(request, form)
        try:
            token, key = api_token_create(actor=request.user, name=form.cleaned_data["name"])
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self.page(request, form)
        response = self.page(request, TokenCreateForm(), new_token=token, new_key=key)
        # The key is in this answer only: no cache may keep it.
        add_never_cache_headers(response)
        return response

    def page(self, request, form, **context):
        tokens = request.user.api_tokens.all()
        return render(request, TEMPLATE, {"form": form, "tokens": tokens, **context})


class TokenRevokeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        # Only the user's own tokens: another user's is a 404.
        token = get_object_or_404(request.user.api_tokens, pk=pk)
        try:
            api_token_revoke(actor=request.user, token=token)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, REVOKED.format(token=token))
        return redirect("api:tokens")
