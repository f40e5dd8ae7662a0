// The choices of the account screens: buying roles, attitudes, kinds of company.

export const BUYING_ROLES = ['approver', 'decision_maker', 'evaluator', 'initiator', 'coach', 'user', 'other']
export const ATTITUDES = ['supporter', 'neutral', 'opponent']
export const ATTITUDE_COLOURS = { supporter: '#67c23a', neutral: '#909399', opponent: '#f56c6c' }
export const OWNERSHIPS = ['state_owned', 'restructured', 'private', 'foreign', 'joint_venture', 'government', 'other']
export const BUSINESS_TYPES = ['distribution', 'manufacture_sale', 'processing', 'service', 'other']
