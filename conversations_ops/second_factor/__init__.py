"""The second factor at login (django-otp's TOTP) and sessions re-checked when access changes.

- `rules`: who must have a second factor, the user's authenticator app, checking a code.
- `forms`: the admin login form with its code field; the enrolment form.
- `middleware`: a session whose groups or permissions changed is logged out; a session that
  has not proved the second factor it needs reaches only the enrolment page.
- `views`: the enrolment page (QR code, otpauth URI, confirm with a code).
- `checks`: `check --deploy` warns when production does not require the second factor.
"""
