"""The admin site's login asks for the second factor; django-otp's device admin is not on the site.

django-otp's TOTPDeviceAdmin lists every device with filters on any field: `?key__startswith=`
would answer yes/no about a secret key, and its pages show keys and QR codes to superusers.
Devices are enrolled by their owner (/admin/second-factor/) and reset by an operator
(`manage.py second_factor reset`), which the audit trail records; nobody needs to browse them.
"""

from django.contrib import admin
from django_otp.plugins.otp_totp import admin as totp_admin  # noqa: F401 - registers it first, so it can go
from django_otp.plugins.otp_totp.models import TOTPDevice

from conversations_ops.second_factor.forms import ConsoleLoginForm

admin.site.login_form = ConsoleLoginForm
admin.site.login_template = "second_factor/login.html"

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
