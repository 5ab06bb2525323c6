"""Korean names for the reference data seeded in 0003 (the interface's second language), and the
out-of-scope advice in Korean. Only blank Korean fields are filled, so names edited in the back
office stay as they are; the reverse leaves the columns to the schema change."""

from django.db import migrations, models

CATEGORIES = {
    "pre_sales": "구매 전 문의",
    "billing": "청구 및 구독",
    "technical": "기술",
}

PRODUCTS = {
    "mail": "메일",
    "sites": "사이트",
    "meetings-chat": "회의 및 채팅",
    "client-apps": "클라이언트 앱",
    "identity": "ID 및 로그인",
    "domains": "도메인",
    "subscriptions": "구독 및 청구",
}

PROBLEM_TYPES = {
    "plan-features": "요금제 기능 및 비교",
    "pricing": "가격",
    "licensing": "라이선스",
    "finding-a-partner": "파트너 찾기",
    "buying": "구독 구입",
    "trial-sign-up": "평가판 등록",
    "purchase-problem": "평가판 등록 또는 구입",
    "trial-to-paid": "평가판에서 유료 요금제로 전환",
    "understanding-a-bill": "청구서 이해",
    "renewal": "갱신",
    "licence-changes": "라이선스 추가 또는 제거",
    "cancelling": "구독 취소",
    "mailbox-migration": "사서함 마이그레이션",
    "recipients": "받는 사람: 사서함, 연락처 및 그룹",
    "autodiscover": "자동 검색",
    "site-permissions": "사이트 권한 및 그룹",
    "external-users": "외부 사용자 및 공유",
    "client-apps-installation": "클라이언트 앱 설치",
    "service-configuration-error": "서비스 구성 오류",
    "domain-setup": "도메인 설정 및 재위임",
    "single-sign-on": "SSO(Single Sign-On)",
    "directory-sync": "디렉터리 동기화",
    "sign-in-how-to": "암호 및 로그인 설정(사용 방법)",
    "meetings-chat-problem": "회의 또는 채팅이 작동하지 않음",
    "service-unavailable": "서비스 사용 불가 또는 중단",
}

# code: (name, where to go instead)
OUT_OF_SCOPE = {
    "customer-network": (
        "조직 자체 네트워크의 문제",
        "조직 자체 네트워크(방화벽, 프록시, 라우터, 내부 DNS)에서 시작된 문제는 지원 범위에 "
        "포함되지 않습니다. 조직의 네트워크 팀에 문의하세요.",
    ),
    "third-party-add-ins": (
        "타사 서비스 및 추가 기능",
        "다른 회사가 만든 서비스와 추가 기능은 해당 제작사가 지원합니다. 공급업체나 커뮤니티 "
        "포럼에 문의하세요.",
    ),
    "custom-scripts": (
        "스크립트(JavaScript, VBScript, VBA)",
        "JavaScript, VBScript 또는 VBA 스크립트의 작성이나 디버깅은 지원하지 않습니다. 커뮤니티 "
        "포럼과 개발자 설명서를 참고하세요.",
    ),
}


def _fill(model, names: dict[str, str]) -> None:
    for code, name in names.items():
        model.objects.filter(code=code, name_ko="").update(name_ko=name)


def add_korean(apps, schema_editor):
    ProblemType = apps.get_model("cases", "ProblemType")
    _fill(apps.get_model("cases", "Category"), CATEGORIES)
    _fill(apps.get_model("cases", "Product"), PRODUCTS)
    _fill(ProblemType, PROBLEM_TYPES)
    for code, (name, advice) in OUT_OF_SCOPE.items():
        ProblemType.objects.filter(code=code, name_ko="").update(name_ko=name)
        ProblemType.objects.filter(code=code, out_of_scope_advice_ko="").update(
            out_of_scope_advice_ko=advice
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_fewer_write_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="name_ko",
            field=models.CharField(blank=True, max_length=100, verbose_name="name in Korean"),
        ),
        migrations.AddField(
            model_name="problemtype",
            name="name_ko",
            field=models.CharField(blank=True, max_length=200, verbose_name="name in Korean"),
        ),
        migrations.AddField(
            model_name="problemtype",
            name="out_of_scope_advice_ko",
            field=models.TextField(blank=True, verbose_name="where to go instead, in Korean"),
        ),
        migrations.AddField(
            model_name="product",
            name="name_ko",
            field=models.CharField(blank=True, max_length=200, verbose_name="name in Korean"),
        ),
        migrations.RunPython(add_korean, migrations.RunPython.noop),
    ]
