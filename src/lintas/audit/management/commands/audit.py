"""``lintas audit verify|seal|head``: check and maintain the audit hash chain."""

import json

from django.core.management.base import BaseCommand, CommandError

from lintas.audit.chain import GENESIS_HASH
from lintas.audit.choices import Action, Outcome
from lintas.audit.models import AuditChainHead
from lintas.audit.services import record_event, seal_pending, verify_database
from lintas.core.context import use_context


class Command(BaseCommand):
    help = "Verify, seal or show the head of the tamper-evident audit chain."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Walk the chain; exit 1 and name the first bad event if any.")
        verify.add_argument("--seal-first", action="store_true", help="Seal pending events before verifying.")
        verify.add_argument("--json", action="store_true", help="Print the report as one JSON object.")
        sub.add_parser("seal", help="Seal pending events into the chain now.")
        sub.add_parser(
            "head",
            help="Print the recorded chain head (position and hash) to anchor it elsewhere; run verify to check.",
        )

    def handle(self, *args, **options):
        with use_context("cli:audit"):
            if options["action"] == "seal":
                self.stdout.write(f"sealed {seal_pending()} event(s)")
                return
            if options["action"] == "head":
                head = AuditChainHead.objects.filter(pk=1).first()
                self.stdout.write(f"{head.seq if head else 0} {head.hash if head else GENESIS_HASH}")
                return
            if options["seal_first"]:
                seal_pending()
            report = verify_database()
            problem = report.first_problem
            record_event(
                Action.AUDIT_VERIFIED,
                outcome=Outcome.SUCCESS if report.ok else Outcome.FAILED,
                actor_username="cli",
                details={"checked": report.checked, "problem": problem.message if problem else ""},
            )
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": report.ok,
                        "checked": report.checked,
                        "head_seq": report.head_seq,
                        "head_hash": report.head_hash,
                        "unsealed": report.unsealed,
                        "problem": None
                        if problem is None
                        else {"position": problem.position, "kind": problem.kind, "message": problem.message},
                    }
                )
            )
        else:
            self.stdout.write(f"checked {report.checked} sealed event(s); head {report.head_seq} {report.head_hash}")
            self.stdout.write(f"unsealed tail: {report.unsealed} event(s) not yet sealed")
        if problem is not None:
            raise CommandError(f"audit chain broken at position {problem.position} ({problem.kind}): {problem.message}")
