/**
 * What operator-courier's operatorhub.io UI checks ask for (its const_io.py
 * and the value lists of validate.py, 2.1.11): descriptions are part of the
 * messages, so they are kept verbatim.
 */
export interface FieldRule {
  readonly field: string;
  readonly description: string;
  readonly required: boolean;
}

export const ANNOTATION_FIELDS: readonly FieldRule[] = [
  {
    field: 'description',
    description:
      'Without this field, the description displayed in the tiles of the UI will be a truncated version of spec.description.',
    required: false,
  },
  {
    field: 'categories',
    description: 'Without this field, the operator will be categorized as Other.',
    required: false,
  },
  {
    field: 'capabilities',
    description:
      'Without this field, the operator will be assigned the basic install capability - you can read more about operator maturity models here https://www.operatorhub.io/getting-started#How-do-I-start-writing-an-Operator?.',
    required: false,
  },
  {
    field: 'repository',
    description: 'Without this field, the link to the operator source code will not be displayed in the UI.',
    required: false,
  },
  {
    field: 'createdAt',
    description:
      'Without this field, the time stamp at which the operator was created will not be displayed in the UI.',
    required: false,
  },
  {
    field: 'containerImage',
    description: 'Without this field, the link to the operator image will not be displayed in the UI.',
    required: false,
  },
  {
    field: 'alm-examples',
    description:
      'Without this field, users will not have examples of how to write Custom Resources for the operator.',
    required: false,
  },
];

export const ANNOTATIONS_DESCRIPTION =
  'Without this field, your operator will be missing essential data for the UI. Please add this field to the CSV and run validation again to see what subfields are required.';

export const SPEC_FIELDS: readonly FieldRule[] = [
  {
    field: 'displayName',
    description:
      'Without this field, the name of the operator for both the tile and the details view will default to metadata.name.',
    required: true,
  },
  {
    field: 'description',
    description:
      'Without this field, the description in the details view of the operator will default to metadata.annotations.description.',
    required: true,
  },
  {
    field: 'version',
    description: 'Without this field, the version in the details view of the operator will be empty.',
    required: true,
  },
  {
    field: 'links',
    description:
      'Without this field, no links will be displayed in the details page side panel. You can for example link to some additional Documentation, related Blogs or Repositories.',
    required: false,
  },
  {
    field: 'icon',
    description: 'Without this field, the operator will display a default operator framework icon.',
    required: false,
  },
  {
    field: 'provider',
    description: 'Without this field, users will not be able to filter for provider.',
    required: true,
  },
  {
    field: 'maintainers',
    description:
      'Without this field, the operator details page will not display the name and contact for users to get support in using the operator. The field should be a yaml list of name & email pairs.',
    required: false,
  },
  {
    field: 'customresourcedefinitions',
    description:
      'Without this field, the operator details page will not display any CRDs the operator needs in order to function.',
    required: false,
  },
  {
    field: 'installModes',
    description: 'Without this field, OLM will not be able to deploy your operator.',
    required: true,
  },
];

export const CAPABILITY_LEVELS = [
  'Basic Install',
  'Seamless Upgrades',
  'Full Lifecycle',
  'Deep Insights',
  'Auto Pilot',
];
export const MEDIA_TYPES = ['image/gif', 'image/jpeg', 'image/png', 'image/svg+xml'];
export const CATEGORIES = [
  'AI/Machine Learning',
  'Application Runtime',
  'Big Data',
  'Cloud Provider',
  'Developer Tools',
  'Database',
  'Integration & Delivery',
  'Logging & Tracing',
  'Monitoring',
  'Networking',
  'OpenShift Optional',
  'Security',
  'Storage',
  'Streaming & Messaging',
];
