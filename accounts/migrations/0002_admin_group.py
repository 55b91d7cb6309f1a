"""Create the "Administrators" group: its members are admins (accounts.roles.is_admin).

Admin used to mean "staff or superuser", so content editors (staff for the disease
library) counted as admins. Now an admin is a superuser or a member of this group;
``is_staff`` alone grants no role. Nobody is added here: superusers stay admins, and a
staff account that should be an admin has to be put in the group explicitly.
The group carries no permissions of its own: ``accounts.roles.AdminGroupBackend``
gives its members every permission, as Django does for superusers.
"""

from __future__ import annotations

from django.db import migrations

GROUP_NAME = "Administrators"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=GROUP_NAME)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
