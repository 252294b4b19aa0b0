from django.core.management.base import BaseCommand, CommandError
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiToolKey

from lti.keys import create_tool_key, rotate


class Command(BaseCommand):
    help = "Create, rotate or retire the tool's signing keys (the public halves are served at /lti/jwks/)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "create", "rotate", "retire"])
        parser.add_argument(
            "name", nargs="?", help="the key's name (create: new key; rotate/retire: old key)"
        )
        parser.add_argument("--new-name", help="rotate: the new key's name")

    def handle(self, *args, action, name=None, new_name=None, **options):
        if action == "list":
            for key in LtiToolKey.objects.order_by("name"):
                self.stdout.write(f"{key.name}: used by {key.lti_tools.count()} registration(s)")
            return
        if not name:
            raise CommandError("Name the key.")
        if action == "create":
            created = create_tool_key(name)
            self.stdout.write(f"created {created.name}")
            return
        existing = LtiToolKey.objects.filter(name=name).first()
        if existing is None:
            raise CommandError(f"There is no key called {name!r}.")
        key = existing
        if action == "rotate":
            if not new_name:
                raise CommandError("Give the new key's name with --new-name.")
            new = rotate(old=key, name=new_name)
            self.stdout.write(f"registrations moved from {key.name} to {new.name}; retire {key.name} later")
        elif action == "retire":
            if key.lti_tools.exists():
                raise CommandError(
                    f"{key.name} still signs for {key.lti_tools.count()} registration(s); rotate first."
                )
            key.delete()
            self.stdout.write(f"retired {name}")
