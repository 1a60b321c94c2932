"""factory_boy factories for accounts."""

import factory

from lintas.accounts.models import User, UserRole

__all__ = ["TEST_PASSWORD", "UserFactory"]

TEST_PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"officer{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(TEST_PASSWORD)
    time_zone = factory.LazyAttribute(lambda u: u.agency.time_zone)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            UserRole.objects.bulk_create([UserRole(user=self, role=role) for role in extracted])
            self.__dict__.pop("roles", None)
