"""The install-hook rule table: ids, default severities and the words that explain them.

`RULES` is the one source for the scanner's messages, the README table and SARIF's
`reportingDescriptor`s (short/full description, help). Severities are the *install-time*
defaults; a rule may report lower (e.g. a build tool run by `subprocess`) or higher when the
evidence is stronger. Code that only runs on import of the installed package is scanned in a
second pass whose findings are lowered by `import_time_drop` levels (never below info).
"""

from __future__ import annotations

from dataclasses import dataclass

from safepip.findings import Severity
from safepip.rules import RuleInfo


@dataclass(frozen=True)
class HookRule(RuleInfo):
    """One rule of the install-hook scanner: the catalogue's record (`default_severity` is the
    default in install-time code) plus what the scanner and its prefilter need."""

    import_time_drop: int = 2
    """Levels a finding loses when seen in import-time (not install-time) code."""
    needs: tuple[frozenset[str], ...] = ()
    """What a Python file must hold for the rule to report `low` or above there at import
    time: alternatives, each a set of prefilter needs (names of `prefilter.NEEDS`) that must
    all hold. The prefilter parses an import-time file only when some rule's alternative
    holds, so a rule without needs would silently lose its import-time findings; empty only
    for rules that never reach `low` at import time (`import_time_drop` >= 4, or not raised
    on Python code at all: `python` False)."""
    python: bool = True
    """Raised on Python source (PythonScan), not on metadata, archives or binaries."""
    highest: Severity | None = None
    """The highest severity the rule reports with the rule's own import-time drop (None: its
    default severity). A hit may report higher with a larger drop of its own
    (`python.Hit.import_drop`) so that it never reaches low at import time."""
    run_drop: int | None = None
    """Levels a high (or worse) finding loses at import time when it is in code that importing
    the module runs: its top level, functions that names, a thread's target (None: no
    exception to the drops above). A library's top level does not download and start
    programs, write shell profiles or post files; one that does, does it to whoever imports
    it."""

    @property
    def severity(self) -> Severity:
        """The scanner's name for `default_severity`."""
        return self.default_severity

    def reaches_low_at_import_time(self) -> bool:
        """Whether an import-time finding of this rule can be `low` or above (only those
        rules' needs decide what the prefilter lets through)."""
        ceiling = self.highest if self.highest is not None else self.severity
        drop = self.import_time_drop
        if self.run_drop is not None and max(ceiling, Severity.HIGH) == ceiling:
            drop = min(drop, self.run_drop)
        return self.python and int(ceiling) - drop >= int(Severity.LOW)


def _rule(
    id_: str,
    severity: Severity,
    short: str,
    full: str,
    help_: str,
    drop: int = 2,
    needs: tuple[str, ...] = (),
    python: bool = True,
    highest: Severity | None = None,
    run_drop: int | None = None,
) -> HookRule:
    """`needs`: alternatives, each written as needs joined by `+` ("network+host")."""
    return HookRule(
        id=id_,
        default_severity=severity,
        short=short,
        full=full,
        help=help_,
        import_time_drop=drop,
        needs=tuple(frozenset(alternative.split("+")) for alternative in needs),
        python=python,
        highest=highest,
        run_drop=run_drop,
    )


_READ = "Read the quoted code before installing; if it is not needed to build, do not install."
RULES: dict[str, HookRule] = {
    r.id: r
    for r in (
        _rule(
            "hook/process-exec",
            Severity.LOW,
            "Install-time code starts a process.",
            "setup.py, a build backend or a module they import calls subprocess, os.system, "
            "os.popen, os.exec*/spawn*, os.startfile or pty.spawn. The command is followed "
            "through variables, f-strings and joins. Build tools on files of the tree are info; "
            "computed commands are low; pip installs, PowerShell, reconnaissance commands and "
            "silenced or detached programs are medium; programs from home or temp folders, "
            "script hosts, scheduled tasks, Windows executables, `python -c` code that is "
            "itself hostile, shells that fetch, pipe to a shell or open reverse shells are high.",
            _READ,
            needs=("process", "network+dup2", "com-shell"),
            highest=Severity.CRITICAL,
            run_drop=0,
        ),
        _rule(
            "hook/exec-obfuscated",
            Severity.CRITICAL,
            "Decoded data is executed.",
            "The argument of an exec/eval/compile call or a command comes from base64, zlib, "
            "marshal, codecs, bytes.fromhex, a decrypt() (Fernet, AES), an XOR loop, reversed "
            "strings, chr() chains, or a helper function or lambda that does one of these: the "
            "code that runs is hidden from review.",
            "Do not install. Report the release to the index's security contact.",
            drop=1,
            needs=("runner+decoder", "process+decoder"),
        ),
        _rule(
            "hook/dynamic-exec",
            Severity.MEDIUM,
            "A computed string is executed.",
            "exec, eval or compile runs a string that is not a literal. Executing a file of the "
            "sdist itself (the common version.py idiom) is info.",
            _READ,
            needs=("runner",),
        ),
        _rule(
            "hook/network-fetch",
            Severity.MEDIUM,
            "Install-time code uses the network.",
            "urllib, requests, httpx, urllib3, http.client, socket, ftplib, smtplib or a name "
            "lookup is called at install time: the build depends on, or talks to, a server "
            "nobody vetted; high when the address itself is decoded at run time or the server "
            "is named by a public IP address (a URL, a socket's (address, port)).",
            _READ,
            needs=("network",),
        ),
        _rule(
            "hook/download-exec",
            Severity.HIGH,
            "Downloaded content is run or written and run.",
            "Downloaded or decoded data written to disk and a program started (even through "
            "helper functions), a file written from such data then run, a URL given to a "
            "program or a repository cloned, a shell downloader (curl, wget, PowerShell) in a "
            "command, or fetched data fed straight to exec/eval (critical). Downloaded bytes "
            "checked against a pinned digest before they are written, then a build started, "
            "are medium (the release fixes what is built); running the downloaded file "
            "itself still blocks.",
            "Do not install until you know what is downloaded and why.",
            drop=1,
            needs=("network+runner", "process", "clone", "build-fetch"),
            highest=Severity.CRITICAL,
            run_drop=0,
        ),
        _rule(
            "hook/sensitive-read",
            Severity.HIGH,
            "Install-time code names a secret's location.",
            "String literals name SSH keys, cloud credentials (~/.aws, gcloud, azure, kube), "
            ".git-credentials, .pypirc, .netrc, /etc/passwd, shell history, browser profiles, "
            "keychains or crypto wallets: nothing a build needs.",
            "Do not install; treat the machine as exposed if it already ran.",
            needs=("secret-literal",),
        ),
        _rule(
            "hook/env-exfiltration",
            Severity.HIGH,
            "Environment or host data is sent over the network.",
            "The whole environment, a variable named like a secret, host identity (user, host "
            "name, MAC), command output or file contents flow into a request, a socket or a DNS "
            "lookup of a computed name (critical), or host identity is read in a file that also "
            "uses the network (high).",
            "Do not install; rotate any secrets held in environment variables.",
            drop=1,
            needs=("network+host", "network+whole-environ", "secret-literal", "network+write",
                   "network+process", "network+secret-variable", "dns"),
            highest=Severity.CRITICAL,
            run_drop=0,
        ),
        _rule(
            "hook/webhook",
            Severity.HIGH,
            "A webhook, paste or tunnel endpoint is named.",
            "Discord/Slack webhooks, Telegram bot API, pastebins, transfer.sh, ngrok, "
            "request-catchers and OAST domains (also spelt in pieces) are how stolen data leaves "
            "a machine; a server named by raw IP address is medium. A webhook or bot address "
            "with its key spelt out (or a bot token beside the bot API's address) is high in "
            "any code, also code that only runs on import.",
            "Do not install.",
            needs=("secret-literal", "encoded-url", "bot-token"),
        ),
        _rule(
            "hook/cmdclass-override",
            Severity.INFO,
            "A setuptools command is overridden.",
            "setup(cmdclass=...) or a subclass of install/develop/egg_info/build_py/build_ext/"
            "sdist/bdist_wheel runs custom code at install. Raised to the worst finding inside the "
            "class, so a run() that downloads or executes stands out.",
            _READ,
            drop=4,  # a summary of the findings inside the class, which keep their own
            needs=("command-class",),
            highest=Severity.CRITICAL,
        ),
        _rule(
            "hook/obfuscation",
            Severity.MEDIUM,
            "Code is obfuscated.",
            "Long encoded string literals, very long lines, code pushed off screen by blanks, "
            "names in look-alike letters, exec of escape sequences, imports by computed name, "
            "exec reached through a namespace, or builtins reached by computed name (high): "
            "code written not to be read. A runner reached by evaluating its own name (the "
            "string \"exec\" or \"eval\" evaluated, often spelt in escapes) is high in any code.",
            _READ,
            needs=("builtins-lookup", "evaluated-name"),
            highest=Severity.HIGH,
        ),
        _rule(
            "hook/persistence",
            Severity.HIGH,
            "Install-time code writes where it will run again.",
            "A file is written or copied to a shell profile (~/.bashrc, ~/.profile), a crontab, "
            "a Windows Startup folder or Run key path, a launchd/systemd/autostart folder, or "
            "a sitecustomize.py or .pth file in site-packages: a payload that outlives the "
            "install.",
            "Do not install; if it already ran, check those files on the machine.",
            drop=3,  # libraries that manage shells or services write there when asked to
            needs=("write+persistence-place", "process+persistence-place"),
            run_drop=0,  # but not on being imported
        ),
        _rule(
            "hook/outside-write",
            Severity.HIGH,
            "Install-time code changes files outside the build.",
            "A file is written, appended to, touched, copied, moved, linked or made executable "
            "(open, pathlib, shutil, os.chmod/symlink, or a shell command's `>`/`>>`, touch, cp, "
            "tee, ln, chmod...) in the user's home, a shared temp folder, an absolute path or "
            "the interpreter's folders (sys.prefix, site-packages, bin/Scripts, where `pip` "
            "and `.pth` files live). A build writes into its source tree, `build/` and "
            "scratch folders from tempfile, which stay clean.",
            "Do not install until you know why it writes there; if it already ran, look at "
            "that file.",
            drop=3,  # libraries write caches and config under home and temp when used
            needs=("write",),
        ),
        _rule(
            "hook/capability",
            Severity.MEDIUM,
            "Install-time code uses a capability no build needs.",
            "Screen capture, the clipboard, keystroke hooks, registry writes, the memory of "
            "other processes (ctypes into kernel32) or PyArmor-protected code that cannot be "
            "read, at install time.",
            _READ,
            drop=3,  # libraries offer these capabilities to their users
            needs=("capability",),
        ),
        _rule(
            "hook/custom-backend",
            Severity.LOW,
            "The sdist builds with an in-tree PEP 517 backend.",
            "pyproject.toml sets backend-path, so code shipped in the sdist is the build backend "
            "and runs on install; that code is scanned as install-time code.",
            _READ,
            python=False,
        ),
        _rule(
            "hook/pth-exec",
            Severity.MEDIUM,
            "A .pth file runs code at every interpreter start.",
            "Lines of a .pth file that start with `import` are executed by site.py each time "
            "Python starts (not just at install). Critical when that line decodes, downloads or "
            "executes.",
            "Do not install unless the package is known to need a startup hook.",
            drop=0,
            python=False,
        ),
        _rule(
            "hook/console-script-shadow",
            Severity.HIGH,
            "A console script is named like a common command.",
            "An entry point or script named like ls, sudo, ssh, git, python or pip takes over "
            "that command in the environment it is installed into.",
            "Do not install into an environment on your PATH.",
            drop=0,
            python=False,
        ),
        _rule(
            "hook/native-binary",
            Severity.MEDIUM,
            "The sdist ships a native executable.",
            "An sdist should carry source; an ELF, Mach-O or PE file in it can be run by the "
            "build without being reviewable.",
            _READ,
            drop=0,
            python=False,
        ),
        _rule(
            "hook/unparsable",
            Severity.HIGH,
            "Install-time code could not be read.",
            "setup.py or another install-time file is not valid Python 3, cannot be decoded as "
            "Python decodes it (UTF-8, a BOM or its coding declaration), or is too large to "
            "parse, so it was not analysed: unseen code is never called safe (fail closed).",
            "Inspect the file by hand before installing.",
            drop=9,
            python=False,
        ),
    )
}


def lowered(severity: Severity, levels: int) -> Severity:
    """`severity` lowered by `levels`, never below INFO."""
    return Severity(max(int(Severity.INFO), int(severity) - levels))


def readme_table() -> str:
    """The README's install-hook rule table, made from `RULES` (a test keeps them equal)."""
    rows = ["| rule | severity | what |", "| --- | --- | --- |"]
    for rule in RULES.values():
        severity = rule.severity.name.lower()
        if rule.highest is not None and rule.highest != rule.severity:
            severity += f" to {rule.highest.name.lower()}"
        what = f"{rule.short} {rule.full}".replace("|", "\\|")
        rows.append(f"| `{rule.id}` | {severity} | {what} |")
    return "\n".join(rows) + "\n"
