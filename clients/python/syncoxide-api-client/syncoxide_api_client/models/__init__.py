"""Contains all the data models used in inputs/outputs"""

from .accept_account_share_body import AcceptAccountShareBody
from .accept_account_share_response_200 import AcceptAccountShareResponse200
from .accept_account_share_response_200_access import AcceptAccountShareResponse200Access
from .accept_account_share_response_200_role import AcceptAccountShareResponse200Role
from .account_share_keys_response_200 import AccountShareKeysResponse200
from .account_share_keys_response_200_owner_type_0 import AccountShareKeysResponse200OwnerType0
from .account_share_keys_response_200_recipient_type_0 import AccountShareKeysResponse200RecipientType0
from .add_key_body import AddKeyBody
from .add_key_response_201 import AddKeyResponse201
from .add_rule_body import AddRuleBody
from .add_rule_body_match_types_item import AddRuleBodyMatchTypesItem
from .add_rule_body_options import AddRuleBodyOptions
from .add_rule_body_original import AddRuleBodyOriginal
from .add_rule_body_source_kind import AddRuleBodySourceKind
from .add_rule_response_201 import AddRuleResponse201
from .add_rule_response_201_options import AddRuleResponse201Options
from .automation_list_rules_response_200 import AutomationListRulesResponse200
from .automation_list_rules_response_200_rules_item import AutomationListRulesResponse200RulesItem
from .automation_list_rules_response_200_rules_item_options import AutomationListRulesResponse200RulesItemOptions
from .backups_create_rule_body import BackupsCreateRuleBody
from .backups_create_rule_body_retention import BackupsCreateRuleBodyRetention
from .backups_create_rule_response_201 import BackupsCreateRuleResponse201
from .backups_create_rule_response_201_retention import BackupsCreateRuleResponse201Retention
from .backups_create_rule_response_201_runs_item import BackupsCreateRuleResponse201RunsItem
from .backups_get_rule_response_200 import BackupsGetRuleResponse200
from .backups_get_rule_response_200_retention import BackupsGetRuleResponse200Retention
from .backups_get_rule_response_200_runs_item import BackupsGetRuleResponse200RunsItem
from .backups_list_rules_response_200 import BackupsListRulesResponse200
from .backups_list_rules_response_200_rules_item import BackupsListRulesResponse200RulesItem
from .backups_list_rules_response_200_rules_item_retention import BackupsListRulesResponse200RulesItemRetention
from .backups_list_rules_response_200_rules_item_runs_item import BackupsListRulesResponse200RulesItemRunsItem
from .backups_run_rule_response_202 import BackupsRunRuleResponse202
from .backups_run_rule_response_202_retention import BackupsRunRuleResponse202Retention
from .backups_run_rule_response_202_runs_item import BackupsRunRuleResponse202RunsItem
from .backups_update_rule_body import BackupsUpdateRuleBody
from .backups_update_rule_body_retention import BackupsUpdateRuleBodyRetention
from .backups_update_rule_response_200 import BackupsUpdateRuleResponse200
from .backups_update_rule_response_200_retention import BackupsUpdateRuleResponse200Retention
from .backups_update_rule_response_200_runs_item import BackupsUpdateRuleResponse200RunsItem
from .browse_archive_response_200 import BrowseArchiveResponse200
from .browse_archive_response_200_entries_item import BrowseArchiveResponse200EntriesItem
from .cancel_job_response_200 import CancelJobResponse200
from .cancel_job_response_200_result import CancelJobResponse200Result
from .cancel_restore_response_202 import CancelRestoreResponse202
from .change_password_body import ChangePasswordBody
from .cli_login_start_body import CliLoginStartBody
from .cli_login_start_response_200 import CliLoginStartResponse200
from .cli_login_token_body import CliLoginTokenBody
from .cli_login_token_response_200 import CliLoginTokenResponse200
from .commit_storage_upload_body import CommitStorageUploadBody
from .commit_storage_upload_response_201 import CommitStorageUploadResponse201
from .commit_storage_upload_response_201_kind import CommitStorageUploadResponse201Kind
from .copy_storage_body import CopyStorageBody
from .copy_storage_response_201 import CopyStorageResponse201
from .copy_storage_response_201_kind import CopyStorageResponse201Kind
from .create_account_share_body import CreateAccountShareBody
from .create_account_share_response_201 import CreateAccountShareResponse201
from .create_account_share_response_201_access import CreateAccountShareResponse201Access
from .create_account_share_response_201_role import CreateAccountShareResponse201Role
from .create_connection_body import CreateConnectionBody
from .create_connection_body_kind import CreateConnectionBodyKind
from .create_connection_body_options import CreateConnectionBodyOptions
from .create_connection_response_201 import CreateConnectionResponse201
from .create_connection_response_201_options import CreateConnectionResponse201Options
from .create_repository_body import CreateRepositoryBody
from .create_repository_body_encryption import CreateRepositoryBodyEncryption
from .create_repository_response_201 import CreateRepositoryResponse201
from .create_repository_response_201_settings import CreateRepositoryResponse201Settings
from .create_request_body import CreateRequestBody
from .create_request_response_201 import CreateRequestResponse201
from .create_request_response_201_files_item import CreateRequestResponse201FilesItem
from .create_share_body import CreateShareBody
from .create_share_response_201 import CreateShareResponse201
from .create_share_response_201_files_item import CreateShareResponse201FilesItem
from .create_token_body import CreateTokenBody
from .create_token_response_201 import CreateTokenResponse201
from .create_token_response_201_record import CreateTokenResponse201Record
from .decline_account_share_response_200 import DeclineAccountShareResponse200
from .decline_account_share_response_200_access import DeclineAccountShareResponse200Access
from .decline_account_share_response_200_role import DeclineAccountShareResponse200Role
from .describe_request_response_200 import DescribeRequestResponse200
from .describe_request_response_200_files_item import DescribeRequestResponse200FilesItem
from .describe_share_response_200 import DescribeShareResponse200
from .describe_share_response_200_files_item import DescribeShareResponse200FilesItem
from .email_request_body import EmailRequestBody
from .email_request_response_200 import EmailRequestResponse200
from .email_share_body import EmailShareBody
from .email_share_response_200 import EmailShareResponse200
from .error import Error
from .forget_passphrase_response_200 import ForgetPassphraseResponse200
from .forget_passphrase_response_200_settings import ForgetPassphraseResponse200Settings
from .get_account_key_response_200 import GetAccountKeyResponse200
from .get_account_share_response_200 import GetAccountShareResponse200
from .get_account_share_response_200_access import GetAccountShareResponse200Access
from .get_account_share_response_200_role import GetAccountShareResponse200Role
from .get_job_response_200 import GetJobResponse200
from .get_job_response_200_result import GetJobResponse200Result
from .get_restore_response_200 import GetRestoreResponse200
from .hosting_response_200 import HostingResponse200
from .hosting_response_200_settings import HostingResponse200Settings
from .ice_servers_response_200 import IceServersResponse200
from .ice_servers_response_200_ice_servers_item import IceServersResponse200IceServersItem
from .identity_response_200 import IdentityResponse200
from .index_coverage_response_200 import IndexCoverageResponse200
from .index_coverage_response_200_sources_item import IndexCoverageResponse200SourcesItem
from .index_coverage_response_200_sources_item_state import IndexCoverageResponse200SourcesItemState
from .keep_best_body import KeepBestBody
from .keep_best_response_200 import KeepBestResponse200
from .keep_forever_body import KeepForeverBody
from .keep_passphrase_body import KeepPassphraseBody
from .keep_passphrase_response_200 import KeepPassphraseResponse200
from .keep_passphrase_response_200_settings import KeepPassphraseResponse200Settings
from .leave_account_share_response_200 import LeaveAccountShareResponse200
from .leave_account_share_response_200_access import LeaveAccountShareResponse200Access
from .leave_account_share_response_200_role import LeaveAccountShareResponse200Role
from .list_account_shares_response_200 import ListAccountSharesResponse200
from .list_account_shares_response_200_shares_item import ListAccountSharesResponse200SharesItem
from .list_account_shares_response_200_shares_item_access import ListAccountSharesResponse200SharesItemAccess
from .list_account_shares_response_200_shares_item_role import ListAccountSharesResponse200SharesItemRole
from .list_archives_response_200 import ListArchivesResponse200
from .list_archives_response_200_archives_item import ListArchivesResponse200ArchivesItem
from .list_arrivals_response_200 import ListArrivalsResponse200
from .list_arrivals_response_200_files_item import ListArrivalsResponse200FilesItem
from .list_connections_response_200 import ListConnectionsResponse200
from .list_connections_response_200_connections_item import ListConnectionsResponse200ConnectionsItem
from .list_connections_response_200_connections_item_options import ListConnectionsResponse200ConnectionsItemOptions
from .list_events_response_200 import ListEventsResponse200
from .list_events_response_200_events_item import ListEventsResponse200EventsItem
from .list_events_response_200_events_item_payload import ListEventsResponse200EventsItemPayload
from .list_jobs_response_200 import ListJobsResponse200
from .list_jobs_response_200_jobs_item import ListJobsResponse200JobsItem
from .list_jobs_response_200_jobs_item_result import ListJobsResponse200JobsItemResult
from .list_jobs_status import ListJobsStatus
from .list_keys_response_200 import ListKeysResponse200
from .list_keys_response_200_keys_item import ListKeysResponse200KeysItem
from .list_photos_response_200 import ListPhotosResponse200
from .list_photos_response_200_days_item import ListPhotosResponse200DaysItem
from .list_photos_response_200_days_item_photos_item import ListPhotosResponse200DaysItemPhotosItem
from .list_photos_response_200_folders import ListPhotosResponse200Folders
from .list_place_response_200 import ListPlaceResponse200
from .list_place_response_200_entries_item import ListPlaceResponse200EntriesItem
from .list_place_response_200_entries_item_kind import ListPlaceResponse200EntriesItemKind
from .list_repositories_response_200 import ListRepositoriesResponse200
from .list_repositories_response_200_repositories_item import ListRepositoriesResponse200RepositoriesItem
from .list_repositories_response_200_repositories_item_settings import (
    ListRepositoriesResponse200RepositoriesItemSettings,
)
from .list_requests_response_200 import ListRequestsResponse200
from .list_requests_response_200_links_item import ListRequestsResponse200LinksItem
from .list_requests_response_200_links_item_files_item import ListRequestsResponse200LinksItemFilesItem
from .list_restores_response_200 import ListRestoresResponse200
from .list_restores_response_200_restores_item import ListRestoresResponse200RestoresItem
from .list_rule_runs_response_200 import ListRuleRunsResponse200
from .list_rule_runs_response_200_runs_item import ListRuleRunsResponse200RunsItem
from .list_rule_runs_response_200_runs_item_details import ListRuleRunsResponse200RunsItemDetails
from .list_shares_response_200 import ListSharesResponse200
from .list_shares_response_200_links_item import ListSharesResponse200LinksItem
from .list_shares_response_200_links_item_files_item import ListSharesResponse200LinksItemFilesItem
from .list_storage_response_200 import ListStorageResponse200
from .list_storage_response_200_entries_item import ListStorageResponse200EntriesItem
from .list_storage_response_200_entries_item_kind import ListStorageResponse200EntriesItemKind
from .list_tokens_response_200 import ListTokensResponse200
from .list_tokens_response_200_tokens_item import ListTokensResponse200TokensItem
from .make_storage_folder_body import MakeStorageFolderBody
from .make_storage_folder_response_201 import MakeStorageFolderResponse201
from .make_storage_folder_response_201_kind import MakeStorageFolderResponse201Kind
from .me_response_200 import MeResponse200
from .me_response_200_user import MeResponse200User
from .move_storage_body import MoveStorageBody
from .move_storage_response_200 import MoveStorageResponse200
from .move_storage_response_200_kind import MoveStorageResponse200Kind
from .one_entry_response_200 import OneEntryResponse200
from .one_entry_response_200_kind import OneEntryResponse200Kind
from .photo_duplicates_response_200 import PhotoDuplicatesResponse200
from .photo_duplicates_response_200_exact_item_item import PhotoDuplicatesResponse200ExactItemItem
from .photo_duplicates_response_200_near_item_item import PhotoDuplicatesResponse200NearItemItem
from .proceed_rule_response_202 import ProceedRuleResponse202
from .proceed_rule_response_202_runs_item import ProceedRuleResponse202RunsItem
from .proceed_rule_response_202_runs_item_details import ProceedRuleResponse202RunsItemDetails
from .provider_versions_response_200 import ProviderVersionsResponse200
from .provider_versions_response_200_versions_item import ProviderVersionsResponse200VersionsItem
from .put_account_key_body import PutAccountKeyBody
from .put_account_key_response_200 import PutAccountKeyResponse200
from .recent_response_200 import RecentResponse200
from .recent_response_200_entries_item import RecentResponse200EntriesItem
from .recent_response_200_entries_item_kind import RecentResponse200EntriesItemKind
from .refresh_body import RefreshBody
from .restart_restore_response_202 import RestartRestoreResponse202
from .restore_archive_body import RestoreArchiveBody
from .restore_archive_response_202 import RestoreArchiveResponse202
from .restore_provider_version_body import RestoreProviderVersionBody
from .restore_trashed_body import RestoreTrashedBody
from .restore_trashed_response_200 import RestoreTrashedResponse200
from .restore_version_body import RestoreVersionBody
from .restore_version_response_200 import RestoreVersionResponse200
from .retry_job_response_200 import RetryJobResponse200
from .retry_job_response_200_result import RetryJobResponse200Result
from .revoke_account_share_response_200 import RevokeAccountShareResponse200
from .revoke_account_share_response_200_access import RevokeAccountShareResponse200Access
from .revoke_account_share_response_200_role import RevokeAccountShareResponse200Role
from .rules_create_rule_body import RulesCreateRuleBody
from .rules_create_rule_body_conflict import RulesCreateRuleBodyConflict
from .rules_create_rule_body_mode import RulesCreateRuleBodyMode
from .rules_create_rule_response_201 import RulesCreateRuleResponse201
from .rules_create_rule_response_201_runs_item import RulesCreateRuleResponse201RunsItem
from .rules_create_rule_response_201_runs_item_details import RulesCreateRuleResponse201RunsItemDetails
from .rules_get_rule_response_200 import RulesGetRuleResponse200
from .rules_get_rule_response_200_runs_item import RulesGetRuleResponse200RunsItem
from .rules_get_rule_response_200_runs_item_details import RulesGetRuleResponse200RunsItemDetails
from .rules_list_rules_response_200 import RulesListRulesResponse200
from .rules_list_rules_response_200_rules_item import RulesListRulesResponse200RulesItem
from .rules_list_rules_response_200_rules_item_runs_item import RulesListRulesResponse200RulesItemRunsItem
from .rules_list_rules_response_200_rules_item_runs_item_details import (
    RulesListRulesResponse200RulesItemRunsItemDetails,
)
from .rules_run_rule_response_202 import RulesRunRuleResponse202
from .rules_run_rule_response_202_runs_item import RulesRunRuleResponse202RunsItem
from .rules_run_rule_response_202_runs_item_details import RulesRunRuleResponse202RunsItemDetails
from .rules_update_rule_body import RulesUpdateRuleBody
from .rules_update_rule_body_conflict import RulesUpdateRuleBodyConflict
from .rules_update_rule_body_mode import RulesUpdateRuleBodyMode
from .rules_update_rule_response_200 import RulesUpdateRuleResponse200
from .rules_update_rule_response_200_runs_item import RulesUpdateRuleResponse200RunsItem
from .rules_update_rule_response_200_runs_item_details import RulesUpdateRuleResponse200RunsItemDetails
from .search_response_200 import SearchResponse200
from .search_response_200_entries_item import SearchResponse200EntriesItem
from .search_response_200_entries_item_kind import SearchResponse200EntriesItemKind
from .set_staleness_body import SetStalenessBody
from .set_staleness_response_200 import SetStalenessResponse200
from .set_staleness_response_200_connections_item import SetStalenessResponse200ConnectionsItem
from .set_star_body import SetStarBody
from .set_star_response_200 import SetStarResponse200
from .set_star_response_200_kind import SetStarResponse200Kind
from .set_storage_mtime_body import SetStorageMtimeBody
from .set_storage_mtime_response_200 import SetStorageMtimeResponse200
from .set_storage_mtime_response_200_kind import SetStorageMtimeResponse200Kind
from .shared_with_me_response_200 import SharedWithMeResponse200
from .shared_with_me_response_200_shares_item import SharedWithMeResponse200SharesItem
from .shared_with_me_response_200_shares_item_entries_item import SharedWithMeResponse200SharesItemEntriesItem
from .shared_with_me_response_200_shares_item_entries_item_kind import SharedWithMeResponse200SharesItemEntriesItemKind
from .sign_in_body import SignInBody
from .sign_in_providers_response_200 import SignInProvidersResponse200
from .sign_in_providers_response_200_providers_item import SignInProvidersResponse200ProvidersItem
from .sign_in_response_200 import SignInResponse200
from .sign_in_response_200_user import SignInResponse200User
from .staleness_response_200 import StalenessResponse200
from .staleness_response_200_connections_item import StalenessResponse200ConnectionsItem
from .starred_response_200 import StarredResponse200
from .starred_response_200_entries_item import StarredResponse200EntriesItem
from .starred_response_200_entries_item_kind import StarredResponse200EntriesItemKind
from .start_consent_body import StartConsentBody
from .start_consent_body_kind import StartConsentBodyKind
from .start_consent_body_options import StartConsentBodyOptions
from .start_consent_response_200 import StartConsentResponse200
from .stat_storage_response_200 import StatStorageResponse200
from .stat_storage_response_200_kind import StatStorageResponse200Kind
from .storage_changes_response_200 import StorageChangesResponse200
from .storage_usage_response_200 import StorageUsageResponse200
from .sync_account_share_response_202 import SyncAccountShareResponse202
from .sync_account_share_response_202_access import SyncAccountShareResponse202Access
from .sync_account_share_response_202_role import SyncAccountShareResponse202Role
from .test_connection_response_200 import TestConnectionResponse200
from .test_connection_response_200_options import TestConnectionResponse200Options
from .trash_response_200 import TrashResponse200
from .trash_response_200_items_item import TrashResponse200ItemsItem
from .update_connection_body import UpdateConnectionBody
from .update_connection_body_options import UpdateConnectionBodyOptions
from .update_connection_response_200 import UpdateConnectionResponse200
from .update_connection_response_200_options import UpdateConnectionResponse200Options
from .upload_storage_response_200 import UploadStorageResponse200
from .upload_storage_response_200_kind import UploadStorageResponse200Kind
from .versions_response_200 import VersionsResponse200
from .versions_response_200_items_item import VersionsResponse200ItemsItem

__all__ = (
    "AcceptAccountShareBody",
    "AcceptAccountShareResponse200",
    "AcceptAccountShareResponse200Access",
    "AcceptAccountShareResponse200Role",
    "AccountShareKeysResponse200",
    "AccountShareKeysResponse200OwnerType0",
    "AccountShareKeysResponse200RecipientType0",
    "AddKeyBody",
    "AddKeyResponse201",
    "AddRuleBody",
    "AddRuleBodyMatchTypesItem",
    "AddRuleBodyOptions",
    "AddRuleBodyOriginal",
    "AddRuleBodySourceKind",
    "AddRuleResponse201",
    "AddRuleResponse201Options",
    "AutomationListRulesResponse200",
    "AutomationListRulesResponse200RulesItem",
    "AutomationListRulesResponse200RulesItemOptions",
    "BackupsCreateRuleBody",
    "BackupsCreateRuleBodyRetention",
    "BackupsCreateRuleResponse201",
    "BackupsCreateRuleResponse201Retention",
    "BackupsCreateRuleResponse201RunsItem",
    "BackupsGetRuleResponse200",
    "BackupsGetRuleResponse200Retention",
    "BackupsGetRuleResponse200RunsItem",
    "BackupsListRulesResponse200",
    "BackupsListRulesResponse200RulesItem",
    "BackupsListRulesResponse200RulesItemRetention",
    "BackupsListRulesResponse200RulesItemRunsItem",
    "BackupsRunRuleResponse202",
    "BackupsRunRuleResponse202Retention",
    "BackupsRunRuleResponse202RunsItem",
    "BackupsUpdateRuleBody",
    "BackupsUpdateRuleBodyRetention",
    "BackupsUpdateRuleResponse200",
    "BackupsUpdateRuleResponse200Retention",
    "BackupsUpdateRuleResponse200RunsItem",
    "BrowseArchiveResponse200",
    "BrowseArchiveResponse200EntriesItem",
    "CancelJobResponse200",
    "CancelJobResponse200Result",
    "CancelRestoreResponse202",
    "ChangePasswordBody",
    "CliLoginStartBody",
    "CliLoginStartResponse200",
    "CliLoginTokenBody",
    "CliLoginTokenResponse200",
    "CommitStorageUploadBody",
    "CommitStorageUploadResponse201",
    "CommitStorageUploadResponse201Kind",
    "CopyStorageBody",
    "CopyStorageResponse201",
    "CopyStorageResponse201Kind",
    "CreateAccountShareBody",
    "CreateAccountShareResponse201",
    "CreateAccountShareResponse201Access",
    "CreateAccountShareResponse201Role",
    "CreateConnectionBody",
    "CreateConnectionBodyKind",
    "CreateConnectionBodyOptions",
    "CreateConnectionResponse201",
    "CreateConnectionResponse201Options",
    "CreateRepositoryBody",
    "CreateRepositoryBodyEncryption",
    "CreateRepositoryResponse201",
    "CreateRepositoryResponse201Settings",
    "CreateRequestBody",
    "CreateRequestResponse201",
    "CreateRequestResponse201FilesItem",
    "CreateShareBody",
    "CreateShareResponse201",
    "CreateShareResponse201FilesItem",
    "CreateTokenBody",
    "CreateTokenResponse201",
    "CreateTokenResponse201Record",
    "DeclineAccountShareResponse200",
    "DeclineAccountShareResponse200Access",
    "DeclineAccountShareResponse200Role",
    "DescribeRequestResponse200",
    "DescribeRequestResponse200FilesItem",
    "DescribeShareResponse200",
    "DescribeShareResponse200FilesItem",
    "EmailRequestBody",
    "EmailRequestResponse200",
    "EmailShareBody",
    "EmailShareResponse200",
    "Error",
    "ForgetPassphraseResponse200",
    "ForgetPassphraseResponse200Settings",
    "GetAccountKeyResponse200",
    "GetAccountShareResponse200",
    "GetAccountShareResponse200Access",
    "GetAccountShareResponse200Role",
    "GetJobResponse200",
    "GetJobResponse200Result",
    "GetRestoreResponse200",
    "HostingResponse200",
    "HostingResponse200Settings",
    "IceServersResponse200",
    "IceServersResponse200IceServersItem",
    "IdentityResponse200",
    "IndexCoverageResponse200",
    "IndexCoverageResponse200SourcesItem",
    "IndexCoverageResponse200SourcesItemState",
    "KeepBestBody",
    "KeepBestResponse200",
    "KeepForeverBody",
    "KeepPassphraseBody",
    "KeepPassphraseResponse200",
    "KeepPassphraseResponse200Settings",
    "LeaveAccountShareResponse200",
    "LeaveAccountShareResponse200Access",
    "LeaveAccountShareResponse200Role",
    "ListAccountSharesResponse200",
    "ListAccountSharesResponse200SharesItem",
    "ListAccountSharesResponse200SharesItemAccess",
    "ListAccountSharesResponse200SharesItemRole",
    "ListArchivesResponse200",
    "ListArchivesResponse200ArchivesItem",
    "ListArrivalsResponse200",
    "ListArrivalsResponse200FilesItem",
    "ListConnectionsResponse200",
    "ListConnectionsResponse200ConnectionsItem",
    "ListConnectionsResponse200ConnectionsItemOptions",
    "ListEventsResponse200",
    "ListEventsResponse200EventsItem",
    "ListEventsResponse200EventsItemPayload",
    "ListJobsResponse200",
    "ListJobsResponse200JobsItem",
    "ListJobsResponse200JobsItemResult",
    "ListJobsStatus",
    "ListKeysResponse200",
    "ListKeysResponse200KeysItem",
    "ListPhotosResponse200",
    "ListPhotosResponse200DaysItem",
    "ListPhotosResponse200DaysItemPhotosItem",
    "ListPhotosResponse200Folders",
    "ListPlaceResponse200",
    "ListPlaceResponse200EntriesItem",
    "ListPlaceResponse200EntriesItemKind",
    "ListRepositoriesResponse200",
    "ListRepositoriesResponse200RepositoriesItem",
    "ListRepositoriesResponse200RepositoriesItemSettings",
    "ListRequestsResponse200",
    "ListRequestsResponse200LinksItem",
    "ListRequestsResponse200LinksItemFilesItem",
    "ListRestoresResponse200",
    "ListRestoresResponse200RestoresItem",
    "ListRuleRunsResponse200",
    "ListRuleRunsResponse200RunsItem",
    "ListRuleRunsResponse200RunsItemDetails",
    "ListSharesResponse200",
    "ListSharesResponse200LinksItem",
    "ListSharesResponse200LinksItemFilesItem",
    "ListStorageResponse200",
    "ListStorageResponse200EntriesItem",
    "ListStorageResponse200EntriesItemKind",
    "ListTokensResponse200",
    "ListTokensResponse200TokensItem",
    "MakeStorageFolderBody",
    "MakeStorageFolderResponse201",
    "MakeStorageFolderResponse201Kind",
    "MeResponse200",
    "MeResponse200User",
    "MoveStorageBody",
    "MoveStorageResponse200",
    "MoveStorageResponse200Kind",
    "OneEntryResponse200",
    "OneEntryResponse200Kind",
    "PhotoDuplicatesResponse200",
    "PhotoDuplicatesResponse200ExactItemItem",
    "PhotoDuplicatesResponse200NearItemItem",
    "ProceedRuleResponse202",
    "ProceedRuleResponse202RunsItem",
    "ProceedRuleResponse202RunsItemDetails",
    "ProviderVersionsResponse200",
    "ProviderVersionsResponse200VersionsItem",
    "PutAccountKeyBody",
    "PutAccountKeyResponse200",
    "RecentResponse200",
    "RecentResponse200EntriesItem",
    "RecentResponse200EntriesItemKind",
    "RefreshBody",
    "RestartRestoreResponse202",
    "RestoreArchiveBody",
    "RestoreArchiveResponse202",
    "RestoreProviderVersionBody",
    "RestoreTrashedBody",
    "RestoreTrashedResponse200",
    "RestoreVersionBody",
    "RestoreVersionResponse200",
    "RetryJobResponse200",
    "RetryJobResponse200Result",
    "RevokeAccountShareResponse200",
    "RevokeAccountShareResponse200Access",
    "RevokeAccountShareResponse200Role",
    "RulesCreateRuleBody",
    "RulesCreateRuleBodyConflict",
    "RulesCreateRuleBodyMode",
    "RulesCreateRuleResponse201",
    "RulesCreateRuleResponse201RunsItem",
    "RulesCreateRuleResponse201RunsItemDetails",
    "RulesGetRuleResponse200",
    "RulesGetRuleResponse200RunsItem",
    "RulesGetRuleResponse200RunsItemDetails",
    "RulesListRulesResponse200",
    "RulesListRulesResponse200RulesItem",
    "RulesListRulesResponse200RulesItemRunsItem",
    "RulesListRulesResponse200RulesItemRunsItemDetails",
    "RulesRunRuleResponse202",
    "RulesRunRuleResponse202RunsItem",
    "RulesRunRuleResponse202RunsItemDetails",
    "RulesUpdateRuleBody",
    "RulesUpdateRuleBodyConflict",
    "RulesUpdateRuleBodyMode",
    "RulesUpdateRuleResponse200",
    "RulesUpdateRuleResponse200RunsItem",
    "RulesUpdateRuleResponse200RunsItemDetails",
    "SearchResponse200",
    "SearchResponse200EntriesItem",
    "SearchResponse200EntriesItemKind",
    "SetStalenessBody",
    "SetStalenessResponse200",
    "SetStalenessResponse200ConnectionsItem",
    "SetStarBody",
    "SetStarResponse200",
    "SetStarResponse200Kind",
    "SetStorageMtimeBody",
    "SetStorageMtimeResponse200",
    "SetStorageMtimeResponse200Kind",
    "SharedWithMeResponse200",
    "SharedWithMeResponse200SharesItem",
    "SharedWithMeResponse200SharesItemEntriesItem",
    "SharedWithMeResponse200SharesItemEntriesItemKind",
    "SignInBody",
    "SignInProvidersResponse200",
    "SignInProvidersResponse200ProvidersItem",
    "SignInResponse200",
    "SignInResponse200User",
    "StalenessResponse200",
    "StalenessResponse200ConnectionsItem",
    "StarredResponse200",
    "StarredResponse200EntriesItem",
    "StarredResponse200EntriesItemKind",
    "StartConsentBody",
    "StartConsentBodyKind",
    "StartConsentBodyOptions",
    "StartConsentResponse200",
    "StatStorageResponse200",
    "StatStorageResponse200Kind",
    "StorageChangesResponse200",
    "StorageUsageResponse200",
    "SyncAccountShareResponse202",
    "SyncAccountShareResponse202Access",
    "SyncAccountShareResponse202Role",
    "TestConnectionResponse200",
    "TestConnectionResponse200Options",
    "TrashResponse200",
    "TrashResponse200ItemsItem",
    "UpdateConnectionBody",
    "UpdateConnectionBodyOptions",
    "UpdateConnectionResponse200",
    "UpdateConnectionResponse200Options",
    "UploadStorageResponse200",
    "UploadStorageResponse200Kind",
    "VersionsResponse200",
    "VersionsResponse200ItemsItem",
)
