"""A resource's location becomes building, room and address (the old one-line text moves
into ``address``, which a manager may then split); directions, a contact, and photos."""

import django.db.models.deletion
import resources.models
from django.db import migrations, models


def location_to_address(apps, schema_editor):
    Resource = apps.get_model("resources", "Resource")
    Resource.objects.update(address=models.F("location"))


def address_to_location(apps, schema_editor):
    Resource = apps.get_model("resources", "Resource")
    for resource in Resource.objects.all():
        parts = (resource.building, resource.room, resource.address)
        resource.location = " ".join(part for part in parts if part)[:200]
        resource.save(update_fields=["location"])


class Migration(migrations.Migration):

    dependencies = [
        ('alliance', '0002_sign_in_tokens'),
        ('resources', '0003_resource_requires_checkin'),
    ]

    operations = [
        migrations.AddField(
            model_name='resource',
            name='address',
            field=models.CharField(blank=True, max_length=200, verbose_name='address'),
        ),
        migrations.AddField(
            model_name='resource',
            name='building',
            field=models.CharField(blank=True, help_text='Site and building, e.g. 科研楼A栋.', max_length=100, verbose_name='building'),
        ),
        migrations.AddField(
            model_name='resource',
            name='contact_name',
            field=models.CharField(blank=True, max_length=50, verbose_name='contact person'),
        ),
        migrations.AddField(
            model_name='resource',
            name='contact_phone',
            field=models.CharField(blank=True, max_length=30, verbose_name='contact phone'),
        ),
        migrations.AddField(
            model_name='resource',
            name='directions',
            field=models.TextField(blank=True, help_text='How to get there: transport, entrance, lifts.', verbose_name='directions'),
        ),
        migrations.AddField(
            model_name='resource',
            name='room',
            field=models.CharField(blank=True, help_text='Floor and room.', max_length=50, verbose_name='room'),
        ),
        migrations.RunPython(location_to_address, address_to_location),
        migrations.RemoveField(
            model_name='resource',
            name='location',
        ),
        migrations.CreateModel(
            name='ResourcePhoto',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('image', models.ImageField(upload_to=resources.models.photo_upload_to, verbose_name='image')),
                ('width', models.PositiveIntegerField(default=0, editable=False, verbose_name='width')),
                ('height', models.PositiveIntegerField(default=0, editable=False, verbose_name='height')),
                ('medium', models.ImageField(editable=False, upload_to=resources.models.photo_upload_to, verbose_name='medium rendition')),
                ('thumbnail', models.ImageField(editable=False, upload_to=resources.models.photo_upload_to, verbose_name='thumbnail')),
                ('caption', models.CharField(blank=True, max_length=200, verbose_name='caption')),
                ('position', models.PositiveIntegerField(default=0, help_text='Photos are shown by position, lowest first.', verbose_name='position')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('resource', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='resources.resource', verbose_name='resource')),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='alliance.member', verbose_name='uploaded by')),
            ],
            options={
                'verbose_name': 'photo',
                'verbose_name_plural': 'photos',
                'ordering': ['position', 'pk'],
            },
        ),
    ]
