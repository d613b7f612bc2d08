# The orphan-upload sweep (tinhso.ops.services) asks which of a batch of file names rows hold.
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0008_idempotency_key'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(fields=['result_file'], name='dossier_result_file'),
        ),
        migrations.AddIndex(
            model_name='dossiercomponent',
            index=models.Index(fields=['file'], name='component_file'),
        ),
    ]
