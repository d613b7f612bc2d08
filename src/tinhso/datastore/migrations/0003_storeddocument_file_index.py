# The orphan-upload sweep (tinhso.ops.services) asks which of a batch of file names rows hold.
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('datastore', '0002_access_log_verify'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='storeddocument',
            index=models.Index(fields=['file'], name='storeddoc_file'),
        ),
    ]
