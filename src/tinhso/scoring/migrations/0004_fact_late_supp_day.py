from django.db import migrations, models


class Migration(migrations.Migration):
    """The index of the open dossiers late by a second supplement request covers their reception day: the
    late lists count their dossiers per reception day from the facts' partial indexes alone (index-only on
    PostgreSQL) and read only the page's dossiers (scoring.selectors.CountedDossiers)."""

    dependencies = [
        ('scoring', '0003_fact_due_times'),
    ]

    operations = [
        migrations.RemoveIndex(model_name='dossierfact', name='scoring_fact_late_supp'),
        migrations.AddIndex(
            model_name='dossierfact',
            index=models.Index(condition=models.Q(('open_late_supp', 1)), fields=['agency_id', 'received_day'],
                               name='scoring_fact_late_supp'),
        ),
    ]
