#!/usr/bin/env python3
"""Write the synthetic NanoGPT Private Mode receipts of this folder.

NO real Private Mode receipt could be found in any public source (see
../PROVENANCE.md), so these files are CONSTRUCTED.  Their shape is the
Tinfoil VerificationDocument (tinfoilsh/tinfoil-js,
packages/verifier/src/types.ts); every value is made up here from fixed
seeds.  The fingerprints are computed here, with Python's hashlib, by the
rule of tinfoil-js measurementFingerprint (one register: the register; else
lower-case hex SHA-256 of type followed by every register), so the C code
under test is checked against an independent computation.

Run from this folder: python3 generate.py
"""
import hashlib
import json

TDX = "https://tinfoil.sh/predicate/tdx-guest/v2"
MULTI = "https://tinfoil.sh/predicate/snp-tdx-multiplatform/v1"
SEV2 = "https://tinfoil.sh/predicate/sev-snp-guest/v2"


def h(seed, n):
    """n bytes of deterministic hex from a seed."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}/{i}".encode()).digest()
        i += 1
    return out[:n].hex()


def fingerprint(m):
    if len(m["registers"]) == 1:
        return m["registers"][0]
    return hashlib.sha256((m["type"] + "".join(m["registers"])).encode()).hexdigest()


def steps(status="success"):
    return {k: {"status": status} for k in
            ("fetchDigest", "verifyCode", "verifyEnclave", "compareMeasurements")}


def doc(code, encl, hw):
    tls = h("tls", 32)
    hpke = h("hpke", 32)
    return {
        "schemaVersion": 1,
        "configRepo": "tinfoilsh/confidential-model-router",
        "enclaveHost": "router.synthetic.tinfoil.example",
        "releaseTag": "v0.0.0-synthetic",
        "releaseDigest": h("release", 32),
        "codeMeasurement": code,
        "enclaveMeasurement": {"measurement": encl,
                               "tlsPublicKeyFingerprint": tls,
                               "hpkePublicKey": hpke},
        "tlsPublicKey": tls,
        "hpkePublicKey": hpke,
        "hardwareMeasurement": hw,
        "codeFingerprint": fingerprint(code),
        "enclaveFingerprint": fingerprint(encl),
        "selectedRouterEndpoint": "router.synthetic.tinfoil.example",
        "securityVerified": True,
        "verifier": {"name": "synthetic", "version": "0"},
        "verifiedAt": "2026-07-05T00:00:00.000Z",
        "steps": steps(),
    }


regs = [h("mrtd", 48), h("rtmr0", 48), h("rtmr1", 48), h("rtmr2", 48),
        h("rtmr3", 48)]
tdx_m = {"type": TDX, "registers": regs}
tdx = doc(tdx_m, dict(tdx_m), {"ID": "synthetic", "MRTD": regs[0],
                               "RTMR0": regs[1]})

snp = h("snp", 48)
multi = doc({"type": MULTI, "registers": [snp, regs[2], regs[3]]},
            {"type": SEV2, "registers": [snp]}, None)
del multi["hardwareMeasurement"]

wrapped = {"model": "TEE/synthetic-private", "note": "synthetic wrapper",
           "verification": tdx}

for name, obj in (("tdx.json", tdx), ("multiplatform.json", multi),
                  ("wrapped.json", wrapped)):
    with open(name, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")

# The registers a probe entry of the same enclave would log (lower case),
# for the tests' probe entries.
with open("registers.json", "w") as f:
    json.dump({"mrtd": regs[0], "rtmr0": regs[1], "rtmr1": regs[2],
               "rtmr2": regs[3], "rtmr3": regs[4],
               "tdx_code_fingerprint": fingerprint(tdx_m)}, f, indent=2)
    f.write("\n")
