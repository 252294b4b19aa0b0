"""`manage.py validatebank [BANK]`: re-check stored items; non-zero exit on any problem."""

from django.core.management.base import BaseCommand, CommandError

from quizzes.models import Bank
from quizzes.services.banks import bank_validate


class Command(BaseCommand):
    help = "Re-validate stored items (every bank when none is named); exits non-zero on any problem."

    def add_arguments(self, parser) -> None:
        parser.add_argument("bank", nargs="?", help="slug of one bank (default: every bank)")

    def handle(self, *args, **options) -> None:
        banks = Bank.objects.order_by("slug")
        if options["bank"]:
            banks = banks.filter(slug=options["bank"])
            if not banks.exists():
                raise CommandError(f"no bank with slug {options['bank']!r}")
        total = 0
        for bank in banks:
            problems = bank_validate(bank=bank)
            total += len(problems)
            for problem in problems:
                self.stderr.write(self.style.ERROR(str(problem)))
            verdict = f"{len(problems)} problem(s)" if problems else "ok"
            self.stdout.write(f"{bank.slug}: {bank.items.count()} item(s), {verdict}")
        if total:
            raise CommandError(f"{total} problem(s) found")
        self.stdout.write(self.style.SUCCESS("All banks are valid."))
