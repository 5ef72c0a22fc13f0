"""client packages; billable extras on bookings

Revision ID: 7eb38c614b19
Revises: 6a311e4dd8c2
Create Date: 2026-11-28 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.models.types

# revision identifiers, used by Alembic.
revision = '7eb38c614b19'
down_revision = '6a311e4dd8c2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('client_packages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('client_email', sa.String(length=320), nullable=False),
    sa.Column('offers', sa.JSON(), nullable=True),
    sa.Column('per', sa.String(length=8), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('beyond', sa.String(length=8), nullable=False),
    sa.Column('extra_price', sa.String(length=200), nullable=True),
    sa.Column('created_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_client_packages_count_not_negative')),
    sa.CheckConstraint("per IN ('week', 'month')", name=op.f('ck_client_packages_per_known')),
    sa.CheckConstraint("beyond IN ('refuse', 'bill')", name=op.f('ck_client_packages_beyond_known')),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], name=op.f('fk_client_packages_owner_id_owners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_packages'))
    )
    with op.batch_alter_table('client_packages', schema=None) as batch_op:
        batch_op.create_index('ix_client_packages_owner_email', ['owner_id', 'client_email'], unique=False)

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('billable_extra', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('extra_price', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('extra_price')
        batch_op.drop_column('billable_extra')

    with op.batch_alter_table('client_packages', schema=None) as batch_op:
        batch_op.drop_index('ix_client_packages_owner_email')

    op.drop_table('client_packages')
