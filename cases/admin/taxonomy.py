from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases.markdown import render_markdown
from cases.models import Category, HelpArticle, ProblemType, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The three categories are fixed by the rules (severity A, committed targets and a database
    constraint name them by code), so staff may rename and reorder them but not add or delete."""

    list_display = ["name", "name_ko", "code", "position"]
    list_editable = ["position"]
    search_fields = ["name", "name_ko", "code"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "name_ko", "code", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_ko", "code"]


@admin.register(ProblemType)
class ProblemTypeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "name_ko",
        "code",
        "category",
        "product",
        "default_severity",
        "is_out_of_scope",
        "is_active",
    ]
    list_filter = ["category", "product", "is_out_of_scope", "default_severity", "is_active"]
    list_select_related = ["category", "product"]
    search_fields = ["name", "name_ko", "code", "out_of_scope_advice"]
    prepopulated_fields = {"code": ["name"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "category",
                    "product",
                    "name",
                    "name_ko",
                    "code",
                    "default_severity",
                    "is_active",
                ]
            },
        ),
        (
            _("Out of scope"),
            {"fields": ["is_out_of_scope", "out_of_scope_advice", "out_of_scope_advice_ko"]},
        ),
    ]


@admin.register(HelpArticle)
class HelpArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "language", "is_published", "updated_at"]
    list_filter = ["language", "is_published", "problem_types__category"]
    search_fields = ["title", "body", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["problem_types"]
    readonly_fields = ["rendered_body", "updated_at"]
    fields = [
        "title",
        "slug",
        "language",
        "is_published",
        "problem_types",
        "body",
        "rendered_body",
        "updated_at",
    ]

    @admin.display(description=_("preview (as readers see it, after saving)"))
    def rendered_body(self, obj: HelpArticle) -> str:
        return render_markdown(obj.body) if obj.pk else ""
