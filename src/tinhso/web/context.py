from django.conf import settings


def site(request):
    return {"SITE_NAME": "Tỉnh số", "PROVINCE_CODE": settings.PROVINCE_CODE}
