"""Create the "Content editors" group: may add/change/view disease pages, nothing else.

Permissions are normally created by a post_migrate signal, i.e. after this migration
runs on a fresh database, so they are created here explicitly first.
"""

from __future__ import annotations

from django.db import migrations

GROUP_NAME = "Content editors"
MODELS = ("disease", "diseasereference", "diseaseimage")
ACTIONS = ("add", "change", "view")


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("diseases")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    codenames = [f"{action}_{model}" for model in MODELS for action in ACTIONS]
    permissions = Permission.objects.filter(
        content_type__app_label="diseases", codename__in=codenames
    )
    group.permissions.set(permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("diseases", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
