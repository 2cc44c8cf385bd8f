"""Runs the official GenAuth Python SDK (genauth==5.1.0) against the emulator
binary and reports each step of a story: sign-up, sign-in, profile,
management, the OIDC code flow with PKCE, refresh, revocation, MFA.

Usage: python compat_python.py PATH/TO/genauth-emulator
Exit status: 0 when every step passed, 1 otherwise.
"""

import base64
import hashlib
import hmac
import struct
import subprocess
import sys
import time
import traceback
from urllib.parse import parse_qs, urlparse

import requests
from genauth.AuthenticationClient import AuthenticationClient
from genauth.ManagementClient import ManagementClient

APP_ID = "compat-app"
APP_SECRET = "compat-app-secret"
REDIRECT = "http://127.0.0.1:9/callback"
LOGOUT_REDIRECT = "http://127.0.0.1:9/bye"
AK, SK = "compat-ak", "compat-sk"
EMAIL, PASSWORD = "ann@example.com", "pw-ann-1234"

RESULTS = []


def step(name):
    def run(fn):
        started = time.monotonic()
        try:
            detail = fn()
            RESULTS.append((name, True, detail or ""))
            print("ok    %-58s %s" % (name, detail or ""), flush=True)
        except Exception as e:  # a failed step is reported, the story goes on
            RESULTS.append((name, False, repr(e)))
            print("FAIL  %-58s %r" % (name, e), flush=True)
            traceback.print_exc(limit=2, file=sys.stdout)
        finally:
            took = time.monotonic() - started
            if took > 5:
                print("      (took %.1f s)" % took)
        return fn

    return run


def ok(resp, what):
    """The envelope's data, or an AssertionError naming the call."""
    if not isinstance(resp, dict) or resp.get("statusCode") != 200:
        raise AssertionError("%s: %r" % (what, resp))
    return resp.get("data")


def refused(resp, status, what):
    if not isinstance(resp, dict) or resp.get("statusCode") != status:
        raise AssertionError("%s: expected statusCode %s, got %r" % (what, status, resp))


def totp_now(secret_b32):
    """RFC 6238 with SHA-1, 30 s, 6 digits, written out for the test."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = struct.pack(">Q", int(time.time()) // 30)
    mac = hmac.new(key, counter, hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return "%06d" % code


def main(binary):
    proc = subprocess.Popen(
        [binary, "--port", "0", "--user", "%s:%s" % (EMAIL, PASSWORD),
         "--app", "%s:%s:%s" % (APP_ID, APP_SECRET, REDIRECT),
         "--post-logout-redirect", LOGOUT_REDIRECT,
         "--access-key", "%s:%s" % (AK, SK)],
        stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip().rsplit(" ", 1)[-1]
        if not url.startswith("http://127.0.0.1:"):
            print("FAIL  the emulator did not start: %r" % url)
            return 1
        print("emulator at %s" % url)
        story(url)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    failed = [r for r in RESULTS if not r[1]]
    # The closing line CI reads: "compat: N passed, N failed".
    print("\ncompat: %d passed, %d failed" % (len(RESULTS) - len(failed), len(failed)))
    return 1 if failed else 0


def story(url):
    auth = AuthenticationClient(app_id=APP_ID, app_host=url, app_secret=APP_SECRET,
                                redirect_uri=REDIRECT, post_logout_redirect_uri=LOGOUT_REDIRECT)
    mgmt = ManagementClient(access_key_id=AK, access_key_secret=SK, host=url)
    s = {}

    @step("sign up with email and password")
    def _():
        data = ok(auth.sign_up_by_email_password("bob@example.com", "pw-bob-1234"), "sign_up")
        s["bob"] = data["userId"]
        return s["bob"]

    @step("sign up refuses a malformed email")
    def _():
        refused(auth.sign_up_by_email_password("email-value", "pw-1"), 400, "sign_up")

    @step("sign in with email and password")
    def _():
        data = ok(auth.sign_in_by_email_password(EMAIL, PASSWORD,
                                                 options={"scope": "openid profile offline_access"}),
                  "sign_in")
        s["token"] = data["access_token"]
        s["id_token"] = data["id_token"]
        auth.set_access_token(s["token"])

    @step("get profile (with_custom_data=True)")
    def _():
        return ok(auth.get_profile(with_custom_data=True), "get_profile")["email"]

    @step("update profile")
    def _():
        ok(auth.update_profile(nickname="Ann"), "update_profile")
        assert ok(auth.get_profile(), "get_profile")["nickname"] == "Ann"

    @step("security level needs the token")
    def _():
        ok(auth.get_security_level(), "get_security_level")
        anon = AuthenticationClient(app_id=APP_ID, app_host=url, app_secret=APP_SECRET)
        refused(anon.get_security_level(), 401, "get_security_level without a token")

    @step("update password, sign in with the new one")
    def _():
        ok(auth.update_password("pw-ann-5678", old_password=PASSWORD), "update_password")
        fresh = AuthenticationClient(app_id=APP_ID, app_host=url, app_secret=APP_SECRET)
        ok(fresh.sign_in_by_email_password(EMAIL, "pw-ann-5678"), "sign_in")
        ok(auth.update_password(PASSWORD, old_password="pw-ann-5678"), "update_password back")

    @step("management: get_user(with_custom_data=True)")
    def _():
        return ok(mgmt.get_user(user_id=s["bob"], with_custom_data=True), "get_user")["email"]

    @step("management: list_users")
    def _():
        data = ok(mgmt.list_users(), "list_users")
        assert data["totalCount"] == 2, data
        return "totalCount=%d" % data["totalCount"]

    @step("management: role create, assign, list members")
    def _():
        ok(mgmt.create_role(code="admin", name="Admins"), "create_role")
        ok(mgmt.assign_role(code="admin", targets=[{"targetType": "USER", "targetIdentifier": s["bob"]}]),
           "assign_role")
        data = ok(mgmt.list_role_members(code="admin", with_custom_data=True), "list_role_members")
        assert [u["userId"] for u in data["list"]] == [s["bob"]], data

    @step("management: group create, add member, list members")
    def _():
        ok(mgmt.create_group(code="team", name="Team", description="d", type="static"), "create_group")
        ok(mgmt.add_group_members(code="team", user_ids=[s["bob"]]), "add_group_members")
        data = ok(mgmt.list_group_members(code="team", with_custom_data=False), "list_group_members")
        assert data["totalCount"] == 1, data

    @step("management: list_organizations(fetch_all=True)")
    def _():
        ok(mgmt.list_organizations(fetch_all=True), "list_organizations")

    # genauth 5.1.0 has no method to create organizations or departments; its
    # own HTTP client (token, pool header) sends the Node SDK's paths.
    @step("management: create organization + department (SDK's http_client)")
    def _():
        send = mgmt.http_client.request
        ok(send("POST", "/api/v3/create-organization",
                json={"organizationCode": "acme", "organizationName": "ACME"}), "create-organization")
        ok(send("POST", "/api/v3/create-organization",
                json={"organizationCode": "globex", "organizationName": "Globex"}), "create-organization")
        dept = ok(send("POST", "/api/v3/create-department",
                       json={"organizationCode": "acme", "parentDepartmentId": "root", "name": "Eng"}),
                  "create-department")
        ok(send("POST", "/api/v3/add-department-members",
                json={"organizationCode": "acme", "departmentId": dept["departmentId"],
                      "userIds": [s["bob"]]}), "add-department-members")
        return dept["departmentId"]

    @step("management: get_organization / get_organizations_batch see them")
    def _():
        org = ok(mgmt.get_organization(organization_code="acme", with_custom_data=True), "get_organization")
        assert org["hasChildren"] is True and org["membersCount"] == 1, org
        batch = ok(mgmt.get_organizations_batch(organization_code_list=["acme", "globex"]),
                   "get_organizations_batch")
        assert sorted(o["organizationCode"] for o in batch) == ["acme", "globex"], batch
        data = ok(mgmt.list_organizations(page=1, limit=1), "list_organizations")
        assert data["totalCount"] == 2 and len(data["list"]) == 1, data

    @step("management: verify_event (pub-event) with an object")
    def _():
        ok(mgmt.verify_event(event_type="compat.story", event_data={"step": 1}), "verify_event")

    @step("OIDC code flow with PKCE")
    def _():
        verifier = auth.generate_code_challenge()
        challenge = auth.generate_code_challenge_digest(verifier, method="S256")
        authorize = auth.build_authorize_url(scope="openid profile offline_access",
                                             code_challenge=challenge, code_challenge_method="S256")
        r = requests.get(authorize, allow_redirects=False, timeout=10)
        assert r.status_code == 302, (r.status_code, r.text)
        code = parse_qs(urlparse(r.headers["location"]).query)["code"][0]
        tokens = auth.get_access_token_by_code(code, code_verifier=verifier)
        assert "access_token" in tokens, tokens
        s["oidc"] = tokens

    @step("userinfo with the OIDC access token")
    def _():
        return auth.get_user_info_by_access_token(s["oidc"]["access_token"])["sub"]

    @step("refresh token")
    def _():
        tokens = auth.get_new_access_token_by_refresh_token(s["oidc"]["refresh_token"])
        assert "access_token" in tokens, tokens
        s["oidc"] = tokens

    @step("introspect, revoke, introspect again")
    def _():
        token = s["oidc"]["access_token"]
        assert auth.introspect_token(token)["active"] is True
        auth.revoke_token(token)
        assert auth.introspect_token(token)["active"] is False

    @step("offline verification of an ID token (cryptography)")
    def _():
        return auth.introspect_token_offline(s["oidc"]["id_token"])["sub"]

    @step("client credentials with an access key")
    def _():
        tokens = auth.get_access_token_by_client_credentials("compat:read", AK, SK)
        assert "access_token" in tokens, tokens

    @step("MFA: enroll TOTP")
    def _():
        req = ok(auth.send_enroll_factor_request(profile={}, factor_type="OTP"), "send_enroll_factor_request")
        secret = parse_qs(urlparse(req["otpData"]["qrCodeUri"]).query)["secret"][0]
        s["totp_secret"] = secret
        ok(auth.enroll_factor(enrollment_data={"passCode": totp_now(secret)},
                              enrollment_token=req["enrollmentToken"], factor_type="OTP"), "enroll_factor")
        factors = ok(auth.list_enrolled_factors(), "list_enrolled_factors")
        assert [f["factorType"] for f in factors] == ["OTP"], factors

    @step("MFA: verify a TOTP code")
    def _():
        ok(auth.mfa_otp_verify(totp_now(s["totp_secret"])), "mfa_otp_verify")
        refused(auth.mfa_otp_verify("000000" if totp_now(s["totp_secret"]) != "000000" else "111111"),
                400, "mfa_otp_verify with a wrong code")

    @step("MFA: sign-in asks for the second factor, TOTP completes it")
    def _():
        fresh = AuthenticationClient(app_id=APP_ID, app_host=url, app_secret=APP_SECRET)
        r = fresh.sign_in_by_email_password(EMAIL, PASSWORD)
        assert r.get("apiCode") == 1635, r
        mfa_token = r["data"]["mfaToken"]
        done = requests.post(url + "/api/v2/mfa/totp/verify", json={"totp": totp_now(s["totp_secret"])},
                             headers={"authorization": "Bearer " + mfa_token}, timeout=10).json()
        assert ok(done, "mfa totp verify")["access_token"], done

    @step("SAML: IdP metadata at the SDK's SAML URL; certificate self-signed (cryptography)")
    def _():
        from xml.etree import ElementTree
        from cryptography import x509
        from cryptography.hazmat.primitives.asymmetric import padding
        saml = AuthenticationClient(app_id=APP_ID, app_host=url, app_secret=APP_SECRET, protocol="saml")
        sso = saml.build_authorize_url()
        r = requests.get(sso + "/metadata", timeout=10)
        assert r.status_code == 200, (r.status_code, r.text)
        ns = {"md": "urn:oasis:names:tc:SAML:2.0:metadata", "ds": "http://www.w3.org/2000/09/xmldsig#"}
        root = ElementTree.fromstring(r.content)
        assert root.get("entityID") == sso, root.attrib
        locations = {e.get("Location") for e in root.iter("{%s}SingleSignOnService" % ns["md"])}
        assert locations == {sso}, locations
        der = base64.b64decode(root.find(".//ds:X509Certificate", ns).text)
        cert = x509.load_der_x509_certificate(der)
        cert.public_key().verify(cert.signature, cert.tbs_certificate_bytes,
                                 padding.PKCS1v15(), cert.signature_hash_algorithm)
        pem = requests.get(sso + "/cert", timeout=10).text
        assert x509.load_pem_x509_certificate(pem.encode()) == cert
        return cert.subject.rfc4514_string()

    @step("logout with id_token_hint and a registered post-logout URI")
    def _():
        logout = auth.build_logout_url(redirect_uri=LOGOUT_REDIRECT, id_token=s["id_token"])
        r = requests.get(logout, allow_redirects=False, timeout=10)
        assert r.status_code == 302 and r.headers["location"].startswith(LOGOUT_REDIRECT), (r.status_code, r.text)

    @step("the user's token is refused after logout")
    def _():
        refused(auth.get_profile(), 401, "get_profile after logout")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
