# Store the WeChat access token encrypted (alliance.crypto) instead of in plain text.
#
# The plaintext column is dropped with its value rather than encrypted in place: the token
# can always be fetched again, so the row is left with an empty token_encrypted, which
# notifications.wechat treats as "no token" and refetches on first use (stable_token hands
# back the still-valid token, so nothing in flight is invalidated).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='wechataccesstoken',
            name='token',
        ),
        migrations.AddField(
            model_name='wechataccesstoken',
            name='token_encrypted',
            field=models.TextField(blank=True, editable=False, verbose_name='access token (encrypted)'),
        ),
    ]
