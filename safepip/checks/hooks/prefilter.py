"""A token prefilter that spares the AST walk of import-time files with nothing to see.

Import-time findings are lowered (rules.py), so only judgements that stay at `low` or above
matter there: decoded or downloaded code being run, shell downloaders and reverse shells,
secrets' locations, exfiltration endpoints, builtins indirection, environment or host data next
to the network. Each needs tokens that must appear in the raw text, so a file without them
cannot produce such a finding and is not parsed. tests/checks check this against the fixtures.
Install-time files are always parsed.
"""

from __future__ import annotations

import re

from safepip.checks.hooks.patterns import WEBHOOK

_ALONE = re.compile(
    r"\.ssh|id_(?:rsa|dsa|ecdsa|ed25519)|authorized_keys|\.aws|\.config|\.azure|\.kube"
    r"|\.docker|credentials|\.pypirc|\.netrc|\.npmrc|/etc/|_history|\.gnupg|Login Data"
    r"|Local State|Local Storage|\.mozilla|key4\.db|logins\.json|User Data|Keychain"
    r"|wallet\.dat|Exodus|Electrum|tdata|builtin|dup2|\bpty\b",
    re.IGNORECASE,
)
_EXECISH = re.compile(r"\b(?:exec|eval|compile|execfile|system|popen|Popen|spawn\w*|subprocess)\b")
_DECODERS = re.compile(
    r"decode|decompress|marshal|fromhex|unhexlify|a2b_|pickle|::\s*-|\bchr\b|\bbytes\(|bytearray"
)
_PROCESS = re.compile(r"\b(?:system|popen|Popen|spawn\w*|subprocess|exec\w*)\b")
_SHELL = re.compile(
    r"curl|wget|Invoke-WebRequest|\biwr\b|Download|certutil|bitsadmin|/dev/tcp|\bnc\b|ncat"
    r"|\b(?:ba|z)?sh\b|powershell|base64|mshta|\brm\b",
    re.IGNORECASE,
)
_NETWORK = re.compile(
    r"urlopen|urlretrieve|urllib|requests|socket|http\.client|httplib|httpx|ftplib|smtplib"
    r"|telnetlib|aiohttp|websocket|paramiko|pycurl"
)
_WITH_NETWORK = re.compile(
    r"\b(?:exec|eval|compile|system|popen|Popen|spawn\w*|subprocess|environ|gethostname"
    r"|getfqdn|getuser|getlogin|getnode|uname|node|chmod|write\w*|open)\b"
)


def worth_parsing(text: str) -> bool:
    """False only when no import-time rule could reach `low` on this text."""
    if _ALONE.search(text) or WEBHOOK.search(text):
        return True
    if _EXECISH.search(text) and _DECODERS.search(text):
        return True
    if _PROCESS.search(text) and _SHELL.search(text):
        return True
    return bool(_NETWORK.search(text) and _WITH_NETWORK.search(text))
