from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .choices import Severity


def in_language(english: str, korean: str) -> str:
    """The Korean text on Korean pages when there is one, the English text otherwise.

    Reference data is edited in the back office, not in the message catalogue, so each name
    carries its Korean form beside it (the interface's two languages)."""
    language = translation.get_language() or ""
    return korean if korean and language.startswith("ko") else english


class Category(models.Model):
    """Pre-sales, billing and subscription, or technical. The code is the key, so constraints on
    cases can name it (severity A exists for technical requests only)."""

    code = models.SlugField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    name_ko = models.CharField(_("name in Korean"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return in_language(self.name, self.name_ko)


class Product(models.Model):
    """A product of the suite that requests are filed about and engineers specialise in."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ko = models.CharField(_("name in Korean"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return in_language(self.name, self.name_ko)


class ProblemType(models.Model):
    """A kind of problem under a category (and usually a product), offered when filing."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="problem_types")
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="problem_types"
    )
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ko = models.CharField(_("name in Korean"), max_length=200, blank=True)
    default_severity = models.CharField(
        _("default severity"), max_length=1, choices=Severity.choices, default=Severity.C
    )
    is_out_of_scope = models.BooleanField(_("out of scope"), default=False)
    out_of_scope_advice = models.TextField(
        _("where to go instead"), blank=True, help_text=_("Shown instead of filing a request.")
    )
    out_of_scope_advice_ko = models.TextField(_("where to go instead, in Korean"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category__position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(is_out_of_scope=True) | ~models.Q(out_of_scope_advice=""),
                name="problem_type_out_of_scope_has_advice",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return in_language(self.name, self.name_ko)

    @property
    def advice(self) -> str:
        return in_language(self.out_of_scope_advice, self.out_of_scope_advice_ko)


class HelpArticle(models.Model):
    """Self-help shown before filing. The body is Markdown, rendered through a sanitiser."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    language = models.CharField(_("language"), max_length=8, default="en")
    body = models.TextField(_("body (Markdown)"))
    problem_types = models.ManyToManyField(
        ProblemType, blank=True, related_name="help_articles", verbose_name=_("problem types")
    )
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "language"], name="help_article_slug_language"),
        ]

    def __str__(self) -> str:
        return self.title
