from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("simulator", "0008_opt_out_fidelity"),
    ]

    operations = [
        migrations.CreateModel(
            name="SimStudioFlow",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sid", models.CharField(max_length=34, unique=True)),
                ("friendly_name", models.CharField(max_length=256)),
                ("status", models.CharField(default="published", max_length=16)),
                ("revision", models.PositiveIntegerField(default=1)),
                ("date_created", models.DateTimeField()),
                ("date_updated", models.DateTimeField()),
            ],
        ),
    ]
