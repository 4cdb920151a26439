from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0002_case_material'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='post_check_findings',
            field=models.TextField(blank=True, verbose_name='事后核查情况'),
        ),
        migrations.AddField(
            model_name='case',
            name='post_check_result',
            field=models.CharField(blank=True, choices=[('', '待核查'), ('passed', '核查属实'), ('failed', '承诺不实')], default='', max_length=8, verbose_name='事后核查结论'),
        ),
        migrations.AddField(
            model_name='case',
            name='post_checked_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='事后核查时间'),
        ),
    ]
