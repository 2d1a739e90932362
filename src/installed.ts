// Django's INSTALLED_APPS as permissions see them: every model here has the add, change, delete
// and view permissions (`lending.add_friend`), as Django creates for each model. A project
// setting, as in Django's settings.py: config.ts validates MODEL_PERMISSIONS against it without
// importing the apps.

/** The models served by a viewset, which can be guarded by model permissions (MODEL_PERMISSIONS). */
export const apiModels = ['posts.post', 'transactions.transaction', 'lending.friend', 'lending.belonging', 'lending.borrowing'] as const;

export const installedModels: readonly string[] = ['auth.group', 'auth.permission', 'auth.user', ...apiModels];

export const permissionActions = ['add', 'change', 'delete', 'view'] as const;
