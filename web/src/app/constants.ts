/** The notifications page the nav badge and the Notifications screen share. */
export const NOTIFICATIONS_PAGE = { first: 50 } as const;
