"""Émargement and certificates: attendance settings (sheet unit, proof retention,
funders' mention, signatory), funders' logos, attendance sheets and signatures; the
evaluation questionnaire (questions, responses, answers); the report of the day (its
texts and the workshops' summaries).

Revision ID: 0013_after_the_day
Revises: 0012_move_overrides
Create Date: 2026-12-03 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_after_the_day'
down_revision = '0012_move_overrides'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendance_settings',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('sheet_unit', sa.String(length=20), nullable=False),
    sa.Column('proof_retention_months', sa.Integer(), nullable=False),
    sa.Column('esf_mention', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('funders_mention', sa.Text(), nullable=False),
    sa.Column('signatory_name', sa.String(length=300), nullable=False),
    sa.Column('signatory_image', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint("sheet_unit IN ('half_day', 'session', 'workshop')", name=op.f('ck_attendance_settings_valid_sheet_unit')),
    sa.CheckConstraint('proof_retention_months >= 1', name=op.f('ck_attendance_settings_proof_retention_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_attendance_settings_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_attendance_settings'))
    )
    op.create_table('funder_logos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('image', sa.LargeBinary(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_funder_logos_name_not_empty')),
    sa.CheckConstraint('width > 0 AND height > 0', name=op.f('ck_funder_logos_size_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_funder_logos_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funder_logos'))
    )
    with op.batch_alter_table('funder_logos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funder_logos_event_id'), ['event_id'], unique=False)

    op.create_table('attendance_sheets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('facilitator', sa.String(length=300), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('window_opened_at', sa.DateTime(), nullable=True),
    sa.Column('window_closed_at', sa.DateTime(), nullable=True),
    sa.Column('countersigned_by', sa.String(length=300), nullable=False),
    sa.Column('countersigned_at', sa.DateTime(), nullable=True),
    sa.Column('countersignature', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint("kind IN ('half_day', 'session', 'workshop')", name=op.f('ck_attendance_sheets_valid_kind')),
    sa.CheckConstraint('(countersigned_at IS NULL) = (countersignature IS NULL)', name=op.f('ck_attendance_sheets_countersigned_with_image')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_attendance_sheets_ends_after_start')),
    sa.CheckConstraint('length(key) > 0', name=op.f('ck_attendance_sheets_key_not_empty')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_attendance_sheets_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_attendance_sheets_workshop_id_workshops'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_sheets')),
    sa.UniqueConstraint('event_id', 'key', name='uq_attendance_sheets_event_key')
    )
    with op.batch_alter_table('attendance_sheets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_sheets_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_sheets_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('pseudonym', sa.String(length=40), nullable=False),
    sa.Column('nonce', sa.String(length=100), nullable=False),
    sa.Column('via', sa.String(length=10), nullable=False),
    sa.Column('device', sa.String(length=100), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('image', sa.LargeBinary(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.CheckConstraint("via IN ('staff', 'portal')", name=op.f('ck_signatures_valid_via')),
    sa.CheckConstraint('length(nonce) > 0', name=op.f('ck_signatures_nonce_not_empty')),
    sa.CheckConstraint('length(pseudonym) > 0', name=op.f('ck_signatures_pseudonym_not_empty')),
    sa.CheckConstraint('width > 0 AND height > 0', name=op.f('ck_signatures_size_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_signatures_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_signatures_participant_id_participants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sheet_id'], ['attendance_sheets.id'], name=op.f('fk_signatures_sheet_id_attendance_sheets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['users.id'], name=op.f('fk_signatures_staff_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatures')),
    sa.UniqueConstraint('event_id', 'nonce', name='uq_signatures_event_nonce'),
    sa.UniqueConstraint('sheet_id', 'participant_id', name='uq_signatures_sheet_participant')
    )
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatures_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signatures_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signatures_sheet_id'), ['sheet_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signatures_staff_id'), ['staff_id'], unique=False)

    op.create_table('questionnaires',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_questionnaires_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_questionnaires'))
    )
    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('block', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label_fr', sa.String(length=500), nullable=False),
    sa.Column('label_en', sa.String(length=500), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.CheckConstraint("block IN ('day', 'sessions', 'workshop', 'next_steps', 'free')", name=op.f('ck_questions_valid_block')),
    sa.CheckConstraint("kind IN ('scale', 'single', 'multiple', 'text')", name=op.f('ck_questions_valid_kind')),
    sa.CheckConstraint('length(label_fr) > 0 AND length(label_en) > 0', name=op.f('ck_questions_labels_given')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_questions_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_event_id'), ['event_id'], unique=False)

    op.create_table('responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_responses_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_responses_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responses')),
    sa.UniqueConstraint('event_id', 'participant_id', name='uq_responses_event_participant')
    )
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responses_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_responses_participant_id'), ['participant_id'], unique=False)

    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=40), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.CheckConstraint('number IS NULL OR (number >= 0 AND number <= 100)', name=op.f('ck_answers_number_in_range')),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_answers_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_answers_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers')),
    sa.UniqueConstraint('response_id', 'question_id', 'target', name='uq_answers_response_question_target')
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answers_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answers_response_id'), ['response_id'], unique=False)

    op.create_table('day_reports',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_day_reports_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_day_reports'))
    )
    op.create_table('workshop_reports',
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=False),
    sa.Column('rapporteur_token_hash', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_workshop_reports_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_workshop_reports_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workshop_id', name=op.f('pk_workshop_reports')),
    sa.UniqueConstraint('rapporteur_token_hash', name=op.f('uq_workshop_reports_rapporteur_token_hash'))
    )
    with op.batch_alter_table('workshop_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_reports_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('workshop_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_reports_event_id'))

    op.drop_table('workshop_reports')
    op.drop_table('day_reports')

    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answers_response_id'))
        batch_op.drop_index(batch_op.f('ix_answers_question_id'))

    op.drop_table('answers')
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responses_participant_id'))
        batch_op.drop_index(batch_op.f('ix_responses_event_id'))

    op.drop_table('responses')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_event_id'))

    op.drop_table('questions')
    op.drop_table('questionnaires')

    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signatures_staff_id'))
        batch_op.drop_index(batch_op.f('ix_signatures_sheet_id'))
        batch_op.drop_index(batch_op.f('ix_signatures_participant_id'))
        batch_op.drop_index(batch_op.f('ix_signatures_event_id'))

    op.drop_table('signatures')
    with op.batch_alter_table('attendance_sheets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_sheets_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_sheets_event_id'))

    op.drop_table('attendance_sheets')
    with op.batch_alter_table('funder_logos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funder_logos_event_id'))

    op.drop_table('funder_logos')
    op.drop_table('attendance_settings')
