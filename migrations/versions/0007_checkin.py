"""Check-in: badges (signed codes' serials, revocation), checkpoints, scans, admissions.

Revision ID: 0007_checkin
Revises: 0006_calendars
Create Date: 2026-12-01 21:40:44

Reviewed by hand: partial unique index (one live badge per participant) on both
backends; badges keep their row when the participant is erased (SET NULL), admissions
go with the participant (CASCADE), scans keep the audit row without the person.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_checkin'
down_revision = "0006_calendars"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('badges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('serial', sa.BigInteger(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_reason', sa.String(length=20), nullable=True),
    sa.CheckConstraint("revoked_reason IN ('reissued', 'cancelled', 'erased') OR revoked_reason IS NULL", name=op.f('ck_badges_valid_revoked_reason')),
    sa.CheckConstraint('(revoked_at IS NULL) = (revoked_reason IS NULL)', name=op.f('ck_badges_revoked_with_reason')),
    sa.CheckConstraint('serial > 0', name=op.f('ck_badges_serial_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_badges_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_badges_participant_id_participants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badges')),
    sa.UniqueConstraint('event_id', 'serial', name='uq_badges_event_serial')
    )
    with op.batch_alter_table('badges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badges_event_id'), ['event_id'], unique=False)
        batch_op.create_index('uq_badges_one_live_per_participant', ['participant_id'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table('checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=220), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('workshop_id', sa.Integer(), nullable=True),
    sa.Column('programme_item_id', sa.Integer(), nullable=True),
    sa.Column('opens_at', sa.DateTime(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('door', 'session', 'workshop', 'lunch')", name=op.f('ck_checkpoints_valid_kind')),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_checkpoints_closes_after_opening')),
    sa.CheckConstraint('length(key) > 0', name=op.f('ck_checkpoints_key_not_empty')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_checkpoints_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_item_id'], ['programme_items.id'], name=op.f('fk_checkpoints_programme_item_id_programme_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_checkpoints_room_id_rooms'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_checkpoints_round_id_rounds'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_checkpoints_workshop_id_workshops'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkpoints')),
    sa.UniqueConstraint('event_id', 'key', name='uq_checkpoints_event_key')
    )
    with op.batch_alter_table('checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkpoints_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkpoints_programme_item_id'), ['programme_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkpoints_room_id'), ['room_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkpoints_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkpoints_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=100), nullable=False),
    sa.Column('scanned_by_id', sa.Integer(), nullable=True),
    sa.Column('device', sa.String(length=100), nullable=False),
    sa.Column('offline', sa.Boolean(), nullable=False),
    sa.Column('scanned_at', sa.DateTime(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('effective_at', sa.DateTime(), nullable=False),
    sa.Column('badge_id', sa.Integer(), nullable=True),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('device_result', sa.String(length=20), nullable=True),
    sa.Column('conflict', sa.Boolean(), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=False),
    sa.CheckConstraint("result IN ('ok', 'already', 'wrong_place', 'unknown', 'revoked', 'cancelled', 'outside_window')", name=op.f('ck_scans_valid_result')),
    sa.CheckConstraint('length(nonce) > 0', name=op.f('ck_scans_nonce_not_empty')),
    sa.ForeignKeyConstraint(['badge_id'], ['badges.id'], name=op.f('fk_scans_badge_id_badges'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_scans_checkpoint_id_checkpoints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_scans_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_scans_participant_id_participants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['scanned_by_id'], ['users.id'], name=op.f('fk_scans_scanned_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scans')),
    sa.UniqueConstraint('event_id', 'nonce', name='uq_scans_event_nonce')
    )
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scans_badge_id'), ['badge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scans_checkpoint_id'), ['checkpoint_id'], unique=False)
        batch_op.create_index('ix_scans_event_received', ['event_id', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_scans_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scans_scanned_by_id'), ['scanned_by_id'], unique=False)

    op.create_table('admissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('scan_id', sa.Integer(), nullable=False),
    sa.Column('admitted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_admissions_checkpoint_id_checkpoints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_admissions_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_admissions_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scan_id'], ['scans.id'], name=op.f('fk_admissions_scan_id_scans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admissions')),
    sa.UniqueConstraint('checkpoint_id', 'participant_id', name='uq_admissions_checkpoint_participant')
    )
    with op.batch_alter_table('admissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admissions_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admissions_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admissions_scan_id'), ['scan_id'], unique=False)



def downgrade():
    with op.batch_alter_table('admissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admissions_scan_id'))
        batch_op.drop_index(batch_op.f('ix_admissions_participant_id'))
        batch_op.drop_index(batch_op.f('ix_admissions_event_id'))

    op.drop_table('admissions')
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scans_scanned_by_id'))
        batch_op.drop_index(batch_op.f('ix_scans_participant_id'))
        batch_op.drop_index('ix_scans_event_received')
        batch_op.drop_index(batch_op.f('ix_scans_checkpoint_id'))
        batch_op.drop_index(batch_op.f('ix_scans_badge_id'))

    op.drop_table('scans')
    with op.batch_alter_table('checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkpoints_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_checkpoints_round_id'))
        batch_op.drop_index(batch_op.f('ix_checkpoints_room_id'))
        batch_op.drop_index(batch_op.f('ix_checkpoints_programme_item_id'))
        batch_op.drop_index(batch_op.f('ix_checkpoints_event_id'))

    op.drop_table('checkpoints')
    with op.batch_alter_table('badges', schema=None) as batch_op:
        batch_op.drop_index('uq_badges_one_live_per_participant', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_badges_event_id'))

    op.drop_table('badges')
