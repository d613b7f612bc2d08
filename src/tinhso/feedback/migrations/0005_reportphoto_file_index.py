# The orphan-upload sweep (tinhso.ops.services) asks which of a batch of file names rows hold.
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('feedback', '0004_reference_stamp_public_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='reportphoto',
            index=models.Index(fields=['file'], name='reportphoto_file'),
        ),
    ]
